"""What the HTTP adapters (Zimbra, Graph, Google) share: one httpx client per sync, and one way
to classify a failure. The request bodies that carry a secret (Zimbra's AuthRequest, the OAuth
token requests) are never part of an error's text: errors name the status and the provider's
error code only."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx

from hygiene.settings import SourceConfig
from hygiene.sources.base import SourceError, SourceRefused, SourceUnavailable


def client(config: SourceConfig) -> httpx.Client:
    verify: Any = str(config.ca_file) if config.ca_file else config.verify_tls
    return httpx.Client(timeout=config.timeout, verify=verify, follow_redirects=False)


def refused_or_down(name: str, status: int, code: str) -> SourceError:
    reason = f"HTTP {status} {code}".strip()
    if status == 429 or status >= 500:
        return SourceUnavailable(source=name, reason=reason)
    return SourceRefused(source=name, reason=reason)


def json_of(name: str, response: httpx.Response, code: str = "") -> Any:
    """The JSON body of a 2xx answer; otherwise the classified error."""
    if response.status_code >= 300:
        raise refused_or_down(name, response.status_code, code)
    try:
        return response.json()
    except ValueError:
        raise SourceUnavailable(
            source=name, reason=f"HTTP {response.status_code}: not JSON"
        ) from None


def error_code(response: httpx.Response, *path: str) -> str:
    """A provider's error code, looked up along `path` in a JSON error body."""
    try:
        value: Any = response.json()
    except ValueError:
        return ""
    for key in path:
        value = value.get(key) if isinstance(value, dict) else None
    return str(value)[:100] if value else ""


@contextmanager
def transport_errors(name: str) -> Iterator[None]:
    try:
        yield
    except httpx.TransportError as exc:
        raise SourceUnavailable(source=name, reason=type(exc).__name__) from None
