"""``hygiene-probe``: count saved browser logins on this PC; print them, or send them.

It never reads a username or password; see the package docstring for the privacy contract.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import sys
from collections.abc import Sequence
from datetime import datetime, timezone

from hygiene.probe import PROBE_VERSION
from hygiene.probe.host import Host
from hygiene.probe.report import Report, build_report
from hygiene.probe.send import (
    DEFAULT_TIMEOUT,
    HTTP_ERROR,
    REPORTS_PATH,
    TIMEOUT,
    SendResult,
    is_plain_http_to_another_machine,
    is_valid_url,
    send_report,
)
from hygiene.probe.summary import EN, VI, render, say

EXIT_OK = 0
EXIT_SEND_FAILED = 1
EXIT_USAGE = 2
TOKEN_ENV = "HYGIENE_PROBE_TOKEN"  # noqa: S105  (a variable name, not a secret)

_DESCRIPTION = (
    "Đếm số mật khẩu đã lưu trong các trình duyệt (Chrome, Edge, Cốc Cốc, Brave, Chromium, "
    "Firefox) của người dùng hiện tại — chỉ đếm, không bao giờ đọc tên đăng nhập hay mật khẩu.\n"
    "Counts the passwords saved in this user's browsers — counts only, never reads a username "
    "or a password."
)
_EPILOG = f"""\
Không có tuỳ chọn: in bản tóm tắt. / No option: print a short summary.

Mã thoát / exit codes:
  0  thành công / success
  1  gửi báo cáo thất bại (lỗi máy chủ, mạng, hết thời gian) / sending the report failed
  2  dùng sai tuỳ chọn / usage error

Máy chủ / server endpoint: POST <URL>, e.g. https://hygiene.example{REPORTS_PATH}
Mã truy cập có thể đặt trong biến môi trường / the token may come from the environment:
{TOKEN_ENV}
"""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="hygiene-probe",
        description=_DESCRIPTION,
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--json", action="store_true", help="in báo cáo JSON / print the JSON report"
    )
    parser.add_argument(
        "--send", metavar="URL", help="gửi báo cáo tới URL / POST the report to URL"
    )
    parser.add_argument(
        "--token", metavar="TOKEN", help=f"mã truy cập của máy / device token (or ${TOKEN_ENV})"
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=DEFAULT_TIMEOUT,
        metavar="SECONDS",
        help=f"thời gian chờ máy chủ / server timeout (default {DEFAULT_TIMEOUT:g})",
    )
    parser.add_argument("--lang", choices=(VI, EN), help="chỉ một ngôn ngữ / one language only")
    parser.add_argument("--version", action="version", version=f"hygiene-probe {PROBE_VERSION}")
    return parser


def main(
    argv: Sequence[str] | None = None,
    *,
    host: Host | None = None,
    now: datetime | None = None,
) -> int:
    _tolerate_console_encoding()
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version (0) and usage errors (2)
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    lang: str | None = args.lang
    token: str = args.token or os.environ.get(TOKEN_ENV, "")
    problem = _usage_problem(args.send, token, args.timeout)
    if problem is not None:
        parser.print_usage(sys.stderr)
        _err(say(*problem, lang))
        return EXIT_USAGE

    report = build_report(
        host=host if host is not None else Host.current(),
        now=now if now is not None else datetime.now(timezone.utc),
    )
    if args.json:
        print(json.dumps(report, indent=2))  # noqa: T201  (ASCII-only: safe on any console)
    if args.send is None:
        if not args.json:
            print("\n".join(render(report, lang)))  # noqa: T201
        return EXIT_OK
    return _send(report, url=args.send, token=token, timeout=args.timeout, lang=lang)


def _usage_problem(url: str | None, token: str, timeout: float) -> tuple[str, str] | None:
    if timeout <= 0:
        return ("--timeout phải lớn hơn 0", "--timeout must be positive")
    if url is None:
        return None
    if not is_valid_url(url):
        return ("URL phải bắt đầu bằng http:// hoặc https://", "the URL must be http(s)://…")
    if not token:
        return (
            f"--send cần --token (hoặc ${TOKEN_ENV})",
            f"--send needs --token (or ${TOKEN_ENV})",
        )
    return None


def _send(report: Report, *, url: str, token: str, timeout: float, lang: str | None) -> int:
    if is_plain_http_to_another_machine(url):
        _err(
            say(
                "Cảnh báo: mã truy cập được gửi qua http không mã hoá.",
                "Warning: the token travels over unencrypted http.",
                lang,
            )
        )
    result = send_report(report, url=url, token=token, timeout=timeout)
    if result.ok:
        ok_vi = f"Máy chủ đã nhận báo cáo (HTTP {result.status})."
        print(say(ok_vi, f"The server accepted the report (HTTP {result.status}).", lang))  # noqa: T201
        return EXIT_OK
    vi, en = _send_problem(result)
    _err(say(f"Gửi báo cáo thất bại: {vi}.", f"Sending the report failed: {en}.", lang))
    return EXIT_SEND_FAILED


def _send_problem(result: SendResult) -> tuple[str, str]:
    if result.problem == HTTP_ERROR:
        return (
            f"máy chủ trả lời HTTP {result.status}",
            f"the server answered HTTP {result.status}",
        )
    if result.problem == TIMEOUT:
        return ("máy chủ không trả lời kịp", "the server did not answer in time")
    return (
        f"không kết nối được tới máy chủ ({result.detail})",
        f"could not reach the server ({result.detail})",
    )


def _err(text: str) -> None:
    print(text, file=sys.stderr)  # noqa: T201


def _tolerate_console_encoding() -> None:
    """A Windows console redirected to a file may not encode Vietnamese: replace, never crash."""
    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(errors="replace")
