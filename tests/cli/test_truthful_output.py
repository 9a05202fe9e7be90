"""A command that writes prints its success line only after the commit succeeded; a failed commit
prints only the localized error and exits non-zero (issue 19, item 2)."""

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session, create_engine, select

from hygiene.outbox.models import Message
from hygiene.reports.models import ComplianceSnapshot
from tests import factories as f
from tests.conftest import RunCli
from tests.helpers import fill, tmpfs

DISK_FULL = "database or disk is full"


def _district(session: Session, officials: int) -> None:
    unit = f.ident(f.unit(session, "Phòng Nội vụ"))
    for n in range(officials):
        who = f.ident(f.official(session, unit, f"CB{n:05d}", email=f"cb{n}@xa.example"))
        f.account(session, who, rotated=None, login=f"cb{n}@xa.example")
    session.commit()


@pytest.fixture
def failing_commit(monkeypatch: pytest.MonkeyPatch) -> None:
    def commit(self: OrmSession) -> None:
        raise OperationalError("COMMIT", {}, Exception(DISK_FULL))

    monkeypatch.setattr(OrmSession, "commit", commit)


@pytest.mark.parametrize(
    ("args", "success"),
    [
        (("run", "plan", "--campaign", "rotation"), "đã lên lịch"),
        (("report", "snapshot"), "Đã lưu số liệu"),
        (("units", "add", "Phòng Tư pháp"), "Tư pháp"),
    ],
)
def test_a_failed_commit_prints_only_the_error(
    run_cli: RunCli,
    session: Session,
    request: pytest.FixtureRequest,
    args: tuple[str, ...],
    success: str,
) -> None:
    _district(session, 3)
    request.getfixturevalue("failing_commit")

    printed = run_cli(*args)

    assert printed.exit_code != 0
    assert success not in printed.stdout
    assert DISK_FULL in printed.stderr
    assert "Traceback" not in printed.output


def test_without_a_failure_the_same_commands_print_their_success(
    run_cli: RunCli, session: Session
) -> None:
    _district(session, 3)

    planned = run_cli("run", "plan", "--campaign", "rotation")
    stored = run_cli("report", "snapshot")

    assert "đã lên lịch 3 tin nhắn" in planned.stdout, planned.output
    assert "Đã lưu số liệu" in stored.stdout
    assert session.exec(select(func.count()).select_from(ComplianceSnapshot)).one() == 1


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 16 MB tmpfs mounted for this test (needs root and permission to mount)."""
    with tmpfs(tmp_path / "disk", "16m") as disk:
        yield disk


def _fill(disk: Path, leave: int) -> None:
    """Fill the disk up, then free `leave` bytes: enough to open the write-ahead log and start,
    not enough to commit the campaign."""
    filler = fill(disk)
    os.truncate(filler, max(0, filler.stat().st_size - leave))


def test_run_plan_on_a_full_disk_prints_no_success_line(
    run_cli: RunCli, db_url: str, small_disk: Path
) -> None:
    target = small_disk / "hygiene.db"
    shutil.copyfile(db_url.removeprefix("sqlite:///"), target)
    url = f"sqlite:///{target}"
    engine = create_engine(url)
    with Session(engine) as session:
        _district(session, 2_000)
    engine.dispose()
    _fill(small_disk, leave=256 * 1024)

    printed = run_cli("run", "plan", "--campaign", "rotation", env={"HYGIENE_DATABASE_URL": url})

    assert printed.exit_code != 0
    assert "đã lên lịch" not in printed.stdout
    # SQLite names ENOSPC "database or disk is full" or, writing the WAL, "disk I/O error".
    assert printed.stderr.startswith("Lỗi: Không kết nối được cơ sở dữ liệu:"), printed.stderr
    assert len(printed.stderr.strip().splitlines()) == 1
    (small_disk / "filler").unlink()
    engine = create_engine(url)
    with Session(engine) as session:
        assert session.exec(select(func.count()).select_from(Message)).one() == 0
    engine.dispose()
