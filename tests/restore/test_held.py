"""Restores that do not resend, through the CLI: a backup of the live database holds nothing
there; a restored copy (the backup's marker, or a checkpoint file ahead of the log) holds what
was waiting, once; `outbox held | release | cancel` decide, all or nothing, each an audit event."""

import csv
import io
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlmodel import Session, col

from hygiene.audit import checkpoints
from hygiene.audit.models import AuditEvent
from hygiene.outbox.models import Message
from hygiene.restore.models import BackupMarker
from tests import factories as f
from tests.conftest import PG_URL

RunCli = Any
AT = "2026-03-02T10:00"  # Monday, inside the sending window (local time)


def _next_monday() -> str:
    """A Monday morning after today: a released message is due from the real now on."""
    today = datetime.now(UTC).date()
    return f"{today + timedelta(days=7 - today.weekday())}T10:00"


def _district(session: Session, officials: int) -> None:
    unit = f.ident(f.unit(session))
    for n in range(officials):
        who = f.ident(f.official(session, unit, f"CB{n:03d}", email=f"cb{n}@xa.example"))
        f.account(session, who, rotated=None, login=f"cb{n}@xa.example")
    session.commit()


def _statuses(session: Session) -> dict[str, int]:
    session.rollback()
    query = select(col(Message.status), func.count()).group_by(col(Message.status))
    return {status: int(n) for status, n in session.execute(query)}


def _actions(session: Session, action: str) -> list[str]:
    query = select(col(AuditEvent.subject)).where(col(AuditEvent.action) == action)
    found = list(session.execute(query.order_by(col(AuditEvent.seq))).scalars())
    session.rollback()
    return found


def _ok(result: Any) -> Any:
    assert result.exit_code == 0, result.output
    return result


@pytest.fixture
def planned(run_cli: RunCli, session: Session) -> int:
    _district(session, 5)
    _ok(run_cli("run", "plan", "--campaign", "rotation", "--at", AT))
    return 5


def test_a_backup_of_the_live_database_holds_nothing_there(
    run_cli: RunCli, session: Session, planned: int, tmp_path: Path
) -> None:
    if PG_URL and shutil.which("pg_dump") is None:
        pytest.skip("pg_dump is not installed")
    backup = _ok(run_cli("backup", "-o", str(tmp_path / ("b.dump" if PG_URL else "b.db"))))
    assert f"lúc đó có {planned} tin đang chờ gửi" in backup.stdout

    _ok(run_cli("run", "deliver", "--at", AT))

    assert _statuses(session) == {"sent": planned}
    markers = session.execute(select(BackupMarker)).scalars().all()
    if PG_URL:  # written, exported in the dump's snapshot, then marked live at once
        assert [(m.kind, m.live_at is not None, m.restored_at) for m in markers] == [
            ("backup", True, None)
        ]
    else:  # only the copy holds it
        assert markers == []


def test_a_restored_sqlite_copy_holds_what_was_waiting_once(
    run_cli: RunCli, session: Session, planned: int, db_url: str, tmp_path: Path
) -> None:
    if PG_URL:
        pytest.skip("the PostgreSQL restore runs in tests/reliability/test_faults_restore.py")
    copy = tmp_path / "b.db"
    _ok(run_cli("backup", "-o", str(copy)))
    _ok(run_cli("run", "deliver", "--at", AT))
    live = Path(db_url.removeprefix("sqlite:///"))
    session.close()
    session.get_bind().dispose()  # type: ignore[union-attr]
    shutil.copyfile(copy, live)

    first = _ok(run_cli("run", "deliver", "--at", AT))
    again = _ok(run_cli("run", "deliver", "--at", AT))

    assert "Đã nhận 0 tin" in first.stdout
    assert "Đã nhận 0 tin" in again.stdout
    assert _statuses(session) == {"held": planned}
    assert _actions(session, "outbox.restore_held") == ["backup:1"]
    [marker] = session.execute(select(BackupMarker)).scalars().all()
    assert (marker.held, marker.waiting) == (planned, planned)
    assert marker.restored_at is not None


def _ahead(settings_path: Path, session: Session) -> None:
    """The checkpoint file names an event the log does not hold (it was cut, or restored)."""
    head = checkpoints.current(session, now=datetime.now(UTC))
    session.rollback()  # SQLite: the read began a write transaction (BEGIN IMMEDIATE)
    ahead = checkpoints.Checkpoint(head.seq + 7, "ab" * 32, head.at, head.count + 7)
    checkpoints.remember(settings_path, ahead)


def test_a_checkpoint_file_ahead_of_the_log_holds_what_is_waiting_once(
    run_cli: RunCli, session: Session, planned: int, tmp_path: Path
) -> None:
    _ahead(tmp_path / "var" / "audit-checkpoint", session)

    first = _ok(run_cli("run", "deliver", "--at", AT))
    _ok(run_cli("outbox", "release", "--all"))
    second = _ok(run_cli("run", "deliver", "--at", _next_monday()))

    assert "Đã nhận 0 tin" in first.stdout
    assert f"Đã nhận {planned} tin: {planned} đã gửi" in second.stdout, second.stdout
    assert _statuses(session) == {"sent": planned}
    assert len(_actions(session, "outbox.restore_held")) == 1
    assert len(_actions(session, "message.released")) == planned


def test_release_and_cancel_decide_by_id_all_or_nothing(
    run_cli: RunCli, session: Session, planned: int, tmp_path: Path
) -> None:
    _ahead(tmp_path / "var" / "audit-checkpoint", session)
    _ok(run_cli("run", "deliver", "--at", AT))
    listed = _ok(run_cli("outbox", "held", "--format", "csv")).stdout
    rows = list(csv.DictReader(io.StringIO(listed)))
    ids = [int(row["id"]) for row in rows]
    assert len(ids) == planned
    assert all(row["message_id"].startswith("<") and row["recipient"] for row in rows)
    table = _ok(run_cli("outbox", "held")).stdout
    assert f"{planned} tin bị giữ lại sau khi khôi phục" in table
    english = _ok(run_cli("outbox", "held", env={"HYGIENE_LOCALE": "en"})).stdout
    assert f"{planned} message(s) held after a restore" in english

    refused = run_cli("outbox", "cancel", str(ids[0]), "999999")
    cancelled = _ok(run_cli("outbox", "cancel", str(ids[0]), str(ids[1])))
    again = run_cli("outbox", "release", str(ids[0]))
    neither = run_cli("outbox", "release")
    both = run_cli("outbox", "release", "--all", str(ids[2]))
    released = _ok(run_cli("outbox", "release", str(ids[2]), env={"HYGIENE_LOCALE": "en"}))

    assert refused.exit_code != 0
    assert "999999" in refused.output
    assert "Đã hủy 2 tin bị giữ lại" in cancelled.stdout
    assert again.exit_code != 0
    assert f"{ids[0]}" in again.output
    assert neither.exit_code != 0
    assert "--all" in neither.output
    assert both.exit_code != 0
    assert "Released 1 held message(s)" in released.stdout
    assert _statuses(session) == {"cancelled": 2, "pending": 1, "held": planned - 3}
    assert _actions(session, "message.cancelled") == [f"message:{ids[0]}", f"message:{ids[1]}"]
    assert _actions(session, "message.released") == [f"message:{ids[2]}"]
    held_list = _ok(run_cli("outbox", "list", "--status", "held", "--format", "json")).stdout
    assert held_list.count('"id"') == planned - 3
    _ok(run_cli("audit", "verify"))
