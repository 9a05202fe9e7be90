import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import DatabaseError
from sqlmodel import Session

from hygiene.audit import service as audit
from tests.conftest import NOW


def fill(session: Session, key: bytes, n: int = 5) -> None:
    for i in range(n):
        audit.append(
            session,
            key=key,
            now=NOW + timedelta(seconds=i),
            actor="tester",
            action="thing.done",
            subject=f"thing:{i}",
            data={"i": i, "tên": "Hương"},
        )
    session.commit()


def tamper(engine: Engine, statement: str) -> None:
    """Edit the log out of band, as an insider with database access would: triggers off."""
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(
                text("ALTER TABLE audit_event DISABLE TRIGGER audit_event_append_only")
            )
            connection.execute(text(statement))
            connection.execute(
                text("ALTER TABLE audit_event ENABLE TRIGGER audit_event_append_only")
            )
        else:
            connection.execute(text("DROP TRIGGER IF EXISTS audit_event_no_update"))
            connection.execute(text("DROP TRIGGER IF EXISTS audit_event_no_delete"))
            connection.execute(text(statement))


def test_it_verifies_an_intact_chain(session: Session, audit_key: bytes) -> None:
    fill(session, audit_key)

    result = audit.verify(session, key=audit_key)

    assert (result.ok, result.count, result.first_bad_seq) == (True, 5, None)
    assert result.head_hash == list(audit.export_rows(session))[-1]["hash"]


def test_an_empty_log_verifies(session: Session, audit_key: bytes) -> None:
    assert audit.verify(session, key=audit_key) == audit.Verification(True, 0, audit.GENESIS)


def test_it_names_an_edited_row(session: Session, engine: Engine, audit_key: bytes) -> None:
    fill(session, audit_key)
    tamper(engine, "UPDATE audit_event SET actor = 'someone else' WHERE seq = 3")

    result = audit.verify(session, key=audit_key)

    assert (result.ok, result.first_bad_seq, result.reason, result.count) == (False, 3, "hash", 2)


def test_it_names_a_deleted_row(session: Session, engine: Engine, audit_key: bytes) -> None:
    fill(session, audit_key)
    tamper(engine, "DELETE FROM audit_event WHERE seq = 2")

    result = audit.verify(session, key=audit_key)

    assert (result.ok, result.first_bad_seq, result.reason) == (False, 2, "gap")


def test_it_names_a_row_inserted_at_the_end_without_the_key(
    session: Session, engine: Engine, audit_key: bytes
) -> None:
    fill(session, audit_key)
    head = audit.verify(session, key=audit_key).head_hash
    session.rollback()  # end the read transaction: on SQLite it holds the write lock
    forged = audit.compute_hash(
        b"guessed key", seq=6, at=NOW, actor="x", action="y", subject="z", data="{}", prev_hash=head
    )
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO audit_event (seq, at, actor, action, subject, data, prev_hash, hash) "
                "VALUES (6, :at, 'x', 'y', 'z', '{}', :prev, :hash)"
            ),
            {"at": NOW, "prev": head, "hash": forged},
        )

    result = audit.verify(session, key=audit_key)

    assert (result.ok, result.first_bad_seq, result.reason) == (False, 6, "hash")


def test_it_names_a_row_inserted_in_the_middle(
    session: Session, engine: Engine, audit_key: bytes
) -> None:
    fill(session, audit_key)
    tamper(engine, "UPDATE audit_event SET seq = seq + 100 WHERE seq >= 3")
    tamper(engine, "UPDATE audit_event SET seq = seq - 99 WHERE seq >= 103")
    tamper(
        engine,
        "INSERT INTO audit_event SELECT 3, at, actor, action, 'forged', data, "
        "prev_hash, 'f' || substr(hash, 2) FROM audit_event WHERE seq = 2",
    )

    result = audit.verify(session, key=audit_key)

    assert (result.ok, result.first_bad_seq) == (False, 3)


def test_it_names_reordered_rows(session: Session, engine: Engine, audit_key: bytes) -> None:
    fill(session, audit_key)
    tamper(engine, "UPDATE audit_event SET seq = 100 WHERE seq = 4")
    tamper(engine, "UPDATE audit_event SET seq = 4 WHERE seq = 5")
    tamper(engine, "UPDATE audit_event SET seq = 5 WHERE seq = 100")

    result = audit.verify(session, key=audit_key)

    assert (result.ok, result.first_bad_seq) == (False, 4)


@pytest.mark.parametrize(
    "statement", ["UPDATE audit_event SET actor = 'x'", "DELETE FROM audit_event"]
)
def test_the_database_refuses_updates_and_deletes(
    session: Session, engine: Engine, audit_key: bytes, statement: str
) -> None:
    fill(session, audit_key, 1)

    with pytest.raises(DatabaseError, match="append-only"), engine.begin() as connection:
        connection.execute(text(statement))


def test_a_different_key_does_not_verify(session: Session, audit_key: bytes) -> None:
    fill(session, audit_key, 2)

    result = audit.verify(session, key=audit.audit_key(b"another-secret-entirely"))

    assert (result.ok, result.first_bad_seq) == (False, 1)


def test_export_filters_by_time_and_keeps_data(session: Session, audit_key: bytes) -> None:
    fill(session, audit_key, 3)
    audit.append(
        session,
        key=audit_key,
        now=datetime(2026, 4, 1, tzinfo=UTC),
        actor="a",
        action="late",
        subject="s",
        data={"x": 1},
    )
    session.commit()

    rows = list(audit.export_rows(session, since=datetime(2026, 3, 15, tzinfo=UTC)))

    assert [(r["seq"], r["action"], r["data"]) for r in rows] == [(4, "late", {"x": 1})]
    assert json.loads(json.dumps(rows[0]))["at"].startswith("2026-04-01T00:00:00")
