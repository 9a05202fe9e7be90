"""CLI tables as people read them: local times, translated headers, labels instead of codes, and
every list fitting an 80-column terminal (through CliRunner with COLUMNS=80, and the real
`hygiene` in an 80x24 pseudo-terminal)."""

import fcntl
import os
import pty
import re
import struct
import subprocess
import sys
import termios
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from rich.cells import cell_len
from sqlalchemy import Engine

from hygiene.db import session_scope
from hygiene.incidents import service as incidents
from tests import factories as f
from tests.conftest import NOW

AT = "2026-03-02T08:00"  # local time in Hà Nội, 01:00 UTC
LONG_NAME = "Trung tâm Văn hóa, Thể thao và Truyền thanh - Truyền hình huyện Mường Tè"


def _district(engine: Engine, audit_key: bytes) -> None:
    with session_scope(engine) as session:
        unit = f.ident(f.unit(session, LONG_NAME))
        for n in range(2):
            who = f.official(
                session, unit, f"CB00{n}", name="Nguyễn Thị Minh Phương", phone="+84912345678",
                email=f"nguyen.thi.minh.phuong.{n}@muongte.laichau.gov.vn",
            )  # fmt: skip
            f.account(session, f.ident(who), rotated=date(2025, 11, 1))
        incidents.report(
            session, official_id=f.ident(who), actor="official:CB001", channel="zalo",
            occurred_on=None, description="Tin nhắn Zalo đe dọa tung ảnh ghép, đòi 50 triệu đồng",
            today=NOW.date(), now=NOW, key=audit_key,
        )  # fmt: skip


@pytest.fixture
def district(engine: Engine, audit_key: bytes, run_cli: Any, tmp_path: Path) -> None:
    _district(engine, audit_key)
    assert run_cli("run", "plan", "--campaign", "rotation", "--at", AT).exit_code == 0
    body = tmp_path / "body.txt"
    body.write_text("Không bấm vào đường dẫn lạ trong tin nhắn Zalo.", "utf-8")
    advisory = run_cli(
        "advisories", "add", "--title", "Cảnh giác ảnh ghép", "--body-file", str(body),
        "--severity", "high",
    )  # fmt: skip
    assert advisory.exit_code == 0, advisory.output
    user = run_cli("users", "add", "anninh@huyen.example", "--role", "admin,security")
    assert user.exit_code == 0, user.output


def test_outbox_times_are_local_and_codes_are_labels(district: None, run_cli: Any) -> None:
    vi = run_cli("outbox", "list")
    en = run_cli("outbox", "list", env={"HYGIENE_LOCALE": "en"})
    utc = run_cli("outbox", "list", env={"HYGIENE_TIMEZONE": "UTC"})

    assert vi.exit_code == 0, vi.output
    assert "02/03/2026 08:00" in vi.stdout  # planned at 01:00 UTC, shown in Asia/Ho_Chi_Minh
    assert "02/03/2026 01:00" in utc.stdout
    assert "Trạng thái" in vi.stdout
    assert "Chờ gửi" in vi.stdout
    assert "Nhắc đổi mật khẩu" in vi.stdout
    assert "Status" in en.stdout
    assert "Queued" in en.stdout
    assert "Password rotation" in en.stdout
    for shown in (vi.stdout, en.stdout):
        assert "pending" not in shown
        assert "rotation" not in shown.replace("Password rotation", "")
        assert "2026-03-02" not in shown


def test_severity_roles_and_channels_are_labels(district: None, run_cli: Any) -> None:
    advisories = run_cli("advisories", "list")
    users = run_cli("users", "list")
    users_en = run_cli("users", "list", env={"HYGIENE_LOCALE": "en"})
    official = run_cli("officials", "show", "CB001")

    assert "Cao" in advisories.stdout
    assert "high" not in advisories.stdout
    assert "Quản trị, An toàn thông tin" in users.stdout
    assert "Administrator, Security officer" in users_en.stdout
    assert "admin,security" not in users.stdout + users_en.stdout
    assert "Thư điện tử, SMS" in official.stdout
    assert "email,sms" not in official.stdout
    assert "Tiếng Việt" in official.stdout


def test_incidents_show_their_reference_local_time_and_status_label(
    district: None, run_cli: Any
) -> None:
    vi = run_cli("incidents", "list")
    en = run_cli("incidents", "list", env={"HYGIENE_LOCALE": "en"})

    assert vi.exit_code == 0, vi.output
    assert "BC-2026-00001" in vi.stdout
    assert "02/03/2026 10:00" in vi.stdout  # NOW is 03:00 UTC
    assert "Mới" in vi.stdout
    assert "Người báo cáo" not in vi.stdout
    assert "Số báo cáo" in vi.stdout
    assert "Trạng thái" in vi.stdout
    assert "New" in en.stdout
    assert "Reference" in en.stdout
    assert " new " not in vi.stdout + en.stdout


LISTS = [
    ["officials", "list"],
    ["officials", "show", "CB001"],
    ["accounts", "list"],
    ["units", "list"],
    ["outbox", "list"],
    ["outbox", "show", "1"],
    ["advisories", "list"],
    ["users", "list"],
    ["users", "tokens", "anninh@huyen.example"],
    ["incidents", "list"],
    ["exposures", "list"],
    ["devices", "list"],
    ["report", "compliance"],
]


def _widest(text: str) -> int:
    return max((cell_len(line) for line in text.splitlines()), default=0)


@pytest.mark.parametrize("locale", ["vi", "en"])
@pytest.mark.parametrize("command", LISTS, ids=" ".join)
def test_every_list_fits_80_columns(
    district: None, run_cli: Any, command: list[str], locale: str
) -> None:
    result = run_cli(*command, env={"COLUMNS": "80", "HYGIENE_LOCALE": locale})

    assert result.exit_code == 0, result.output
    assert result.stdout.strip()
    assert _widest(result.stdout) <= 80, result.stdout


def test_a_wide_list_hides_optional_columns_and_says_so(district: None, run_cli: Any) -> None:
    narrow = run_cli("officials", "list", env={"COLUMNS": "80"})
    wide = run_cli("officials", "list", env={"COLUMNS": "250"})

    header = narrow.stdout.splitlines()[0]
    assert "Mã cán bộ" in header
    assert "Điện thoại" not in header
    assert "Ẩn cột vì màn hình hẹp: Email, Điện thoại, Ngôn ngữ." in narrow.stdout
    assert "nguyen.thi.minh.phuong.1@muongte.laichau.gov.vn" in wide.stdout
    assert "Ẩn cột" not in wide.stdout


def test_officials_show_keeps_every_value_whole_in_80_columns(district: None, run_cli: Any) -> None:
    result = run_cli("officials", "show", "CB001", env={"COLUMNS": "80"})

    assert _widest(result.stdout) <= 80
    for value in (
        "Nguyễn Thị Minh Phương",
        "nguyen.thi.minh.phuong.1@muongte.laichau.gov.vn",
        "+84912345678",
        "nguyen.huong@xa.example",  # the account's login
    ):
        assert value in result.stdout
    # the long unit name wraps at spaces, never mid-word
    assert "Trung tâm Văn hóa, Thể thao và Truyền thanh" in " ".join(result.stdout.split())


ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def _in_a_terminal(args: list[str], env: dict[str, str], columns: int) -> str:
    """Run the real command line in a pseudo-terminal of `columns` x 24, as a person would."""
    controller, terminal = pty.openpty()
    fcntl.ioctl(terminal, termios.TIOCSWINSZ, struct.pack("HHHH", 24, columns, 0, 0))
    clean = {k: v for k, v in os.environ.items() if k not in {"COLUMNS", "LINES"}}
    process = subprocess.Popen(
        [sys.executable, "-m", "hygiene", *args],
        stdin=terminal, stdout=terminal, stderr=terminal, env={**clean, **env, "TERM": "xterm"},
    )  # fmt: skip
    os.close(terminal)
    chunks = []
    while True:
        try:
            chunk = os.read(controller, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(controller)
    assert process.wait(timeout=60) == 0, b"".join(chunks).decode()
    return ANSI.sub("", b"".join(chunks).decode("utf-8")).replace("\r\n", "\n")


@pytest.mark.parametrize("command", [["officials", "show", "CB001"], ["outbox", "list"]])
def test_the_real_command_fits_an_80_column_terminal(
    district: None, cli_env: dict[str, str], command: list[str]
) -> None:
    shown = _in_a_terminal(command, cli_env, 80)

    assert _widest(shown) <= 80, shown
    assert "CB001" in shown
    assert "Nguyễn Thị Minh Phương" in shown or "Chờ gửi" in shown
