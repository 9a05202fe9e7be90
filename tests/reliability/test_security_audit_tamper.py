"""Tampering with a compliance log filled by real actions (an import, acknowledgements) is caught
by `hygiene audit verify`: exit code 3 and the first bad #seq named. SQLite, or PostgreSQL when
HYGIENE_TEST_DATABASE_URL is set."""

import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from hygiene.inventory.models import Official
from tests.acks.builders import sent_message
from tests.reliability.security_helpers import tamper, write_inventory

FORGED = "ab" * 32  # a well-formed hash made without the key
FAR = datetime(2099, 1, 1, tzinfo=UTC)  # `hygiene ack` reads the real clock


@pytest.fixture
def filled(run_cli: Any, session: Session, tmp_path: Path) -> int:
    """A log written by `hygiene import` and three `hygiene ack`; returns the number of events."""
    imported = run_cli("import", str(write_inventory(tmp_path / "inventory.csv")))
    assert imported.exit_code == 0, imported.output
    officials = session.exec(select(Official).order_by(col(Official.id))).all()
    codes = [sent_message(session, o.id or 0, expires=FAR)[1] for o in officials]
    session.commit()
    for code in codes:
        acked = run_cli("ack", code, "--note", "qua điện thoại")
        assert acked.exit_code == 0, acked.output
    verified = run_cli("audit", "verify")
    assert verified.exit_code == 0, verified.output
    count = re.search(r"(\d+)", verified.stdout)
    assert count
    return int(count.group(1))


def first_bad(run_cli: Any) -> int:
    result = run_cli("audit", "verify")
    assert result.exit_code == 3, result.output
    named = re.search(r"#(\d+)", result.output)
    assert named, result.output
    return int(named.group(1))


def test_an_edited_event_is_named(run_cli: Any, engine: Engine, filled: int) -> None:
    tamper(engine, "UPDATE audit_event SET actor = 'cli:someone-else' WHERE seq = 4")

    assert first_bad(run_cli) == 4


def test_a_deleted_event_is_named(run_cli: Any, engine: Engine, filled: int) -> None:
    tamper(engine, "DELETE FROM audit_event WHERE seq = 3")

    assert first_bad(run_cli) == 3


def test_an_event_inserted_in_the_middle_is_named(
    run_cli: Any, engine: Engine, filled: int
) -> None:
    tamper(engine, f"UPDATE audit_event SET seq = seq + 1000 WHERE seq >= {filled}")
    tamper(
        engine,
        "INSERT INTO audit_event (seq, at, actor, action, subject, data, prev_hash, hash) "
        f"SELECT {filled}, at, 'cli:mallory', action, subject, data, hash, '{FORGED}' "
        f"FROM audit_event WHERE seq = {filled - 1}",
    )

    assert first_bad(run_cli) == filled


def test_reordered_events_are_named(run_cli: Any, engine: Engine, filled: int) -> None:
    tamper(engine, "UPDATE audit_event SET seq = 1000 WHERE seq = 2")
    tamper(engine, "UPDATE audit_event SET seq = 2 WHERE seq = 3")
    tamper(engine, "UPDATE audit_event SET seq = 3 WHERE seq = 1000")

    assert first_bad(run_cli) == 2
