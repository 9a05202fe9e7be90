"""POST the report to the service (``POST /api/v1/probe/reports``, ``Authorization: Bearer``).

Redirects are never followed: urllib would resend the Authorization header to wherever the
redirect points. Every failure becomes a :class:`SendResult` with ``ok=False``; nothing raises.
"""

from __future__ import annotations

import json
import socket
import urllib.error
import urllib.request
from dataclasses import dataclass
from http.client import HTTPMessage
from typing import IO
from urllib.parse import urlsplit

from hygiene.probe import PROBE_VERSION
from hygiene.probe.report import Report

REPORTS_PATH = "/api/v1/probe/reports"
DEFAULT_TIMEOUT = 15.0


HTTP_ERROR = "http"
UNREACHABLE = "unreachable"
TIMEOUT = "timeout"
BAD_URL = "bad_url"


@dataclass(frozen=True)
class SendResult:
    ok: bool
    status: int | None  # the HTTP status, None when no answer came back
    problem: str | None = None  # None when ok, else HTTP_ERROR, UNREACHABLE, TIMEOUT, BAD_URL
    detail: str = ""  # an exception class name for UNREACHABLE; never a message or a body


class _RefuseRedirects(urllib.request.HTTPRedirectHandler):
    """Turn every 3xx into an HTTPError instead of a new request carrying the token."""

    def redirect_request(
        self,
        req: urllib.request.Request,
        fp: IO[bytes],
        code: int,
        msg: str,
        headers: HTTPMessage,
        newurl: str,
    ) -> None:
        return None


def is_valid_url(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def is_plain_http_to_another_machine(url: str) -> bool:
    """http:// to anything but this PC: the bearer token crosses the network unencrypted."""
    parts = urlsplit(url)
    return parts.scheme == "http" and parts.hostname not in ("localhost", "127.0.0.1", "::1")


def send_report(
    report: Report, *, url: str, token: str, timeout: float = DEFAULT_TIMEOUT
) -> SendResult:
    if not is_valid_url(url):
        return SendResult(False, None, BAD_URL)
    request = urllib.request.Request(  # noqa: S310  (scheme checked just above)
        url,
        data=json.dumps(report, ensure_ascii=False).encode("utf-8"),
        method="POST",
        headers={
            "Content-Type": "application/json; charset=utf-8",
            "Accept": "application/json",
            "Authorization": f"Bearer {token}",
            "User-Agent": f"hygiene-probe/{PROBE_VERSION}",
        },
    )
    opener = urllib.request.build_opener(_RefuseRedirects())
    try:
        with opener.open(request, timeout=timeout) as response:
            status = int(response.status)
    except urllib.error.HTTPError as exc:
        exc.close()
        return SendResult(False, exc.code, HTTP_ERROR)
    except urllib.error.URLError as exc:
        if isinstance(exc.reason, (TimeoutError, socket.timeout)):
            return SendResult(False, None, TIMEOUT)
        return SendResult(False, None, UNREACHABLE, _class_name(exc.reason))
    except (TimeoutError, socket.timeout):
        return SendResult(False, None, TIMEOUT)
    except OSError as exc:
        return SendResult(False, None, UNREACHABLE, type(exc).__name__)
    if 200 <= status < 300:
        return SendResult(True, status)
    return SendResult(False, status, HTTP_ERROR)


def _class_name(reason: object) -> str:
    return type(reason).__name__ if isinstance(reason, BaseException) else "URLError"
