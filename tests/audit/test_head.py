"""The chain head lives in one row (audit_head): an append costs the same whatever the size of the
log, reads no audit_event row, and concurrent batches still make one chain."""

import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Connection, Engine, text
from sqlmodel import Session

from hygiene.audit import service as audit
from hygiene.db import session_scope
from tests.conftest import NOW

EVENTS = 100_000


def _events(n: int, tag: str) -> list[audit.NewEvent]:
    return [audit.NewEvent("tester", "thing.done", f"{tag}:{i}", {"i": i}) for i in range(n)]


def _reads_of_audit_event(connection: Connection) -> tuple[int, int]:
    """(tuples read by sequential scans, tuples fetched through indexes) of audit_event."""
    connection.execute(text("SELECT pg_stat_force_next_flush()"))
    connection.commit()
    connection.execute(text("SELECT pg_stat_clear_snapshot()"))
    row = connection.execute(
        text(
            "SELECT coalesce(seq_tup_read, 0), coalesce(idx_tup_fetch, 0) "
            "FROM pg_stat_user_tables WHERE relid = 'audit_event'::regclass"
        )
    ).one()
    connection.commit()
    return int(row[0]), int(row[1])


@pytest.mark.postgres
def test_an_append_reads_no_event_at_100000_events_without_statistics(
    engine: Engine, audit_key: bytes
) -> None:
    with engine.begin() as connection:
        for name in ("audit_event", "audit_head"):
            connection.execute(text(f"ALTER TABLE {name} SET (autovacuum_enabled = false)"))
    for start in range(0, EVENTS, 10_000):
        with session_scope(engine) as session:
            audit.append_many(
                session, key=audit_key, now=NOW, events=_events(10_000, f"bulk{start}")
            )
    with engine.connect() as connection:
        analysed = connection.execute(
            text(
                "SELECT last_analyze, last_autoanalyze FROM pg_stat_user_tables "
                "WHERE relid = 'audit_event'::regclass"
            )
        ).one()
        connection.commit()
        # A bare ANALYZE or VACUUM ANALYZE anywhere in this database (bench/ once ran one) gives
        # every schema's audit_event statistics, and this test nothing to prove.
        assert analysed == (None, None), "the table must have no fresh statistics"
        before = _reads_of_audit_event(connection)
        for i in range(50):
            with Session(bind=connection) as session:
                audit.append(
                    session,
                    key=audit_key,
                    now=NOW + timedelta(seconds=i),
                    actor="tester",
                    action="thing.done",
                    subject=f"late:{i}",
                )
                session.commit()
        after = _reads_of_audit_event(connection)
    assert after == before, f"appends read audit_event: {before} → {after}"
    with Session(engine) as session:
        assert audit.head(session)[0] == EVENTS + 50
        result = audit.verify(session, key=audit_key)
    assert (result.ok, result.count) == (True, EVENTS + 50)


def test_concurrent_batches_keep_one_chain_and_the_head_follows_it(
    engine: Engine, audit_key: bytes
) -> None:
    writers, batches, size = 4, 10, 25
    errors: list[BaseException] = []

    def write(name: str) -> None:
        try:
            for b in range(batches):
                with session_scope(engine) as session:
                    audit.append_many(
                        session,
                        key=audit_key,
                        now=datetime.now(UTC),
                        events=_events(size, f"{name}.{b}"),
                    )
        except BaseException as exc:  # reported below, in the test's thread
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(f"w{n}",)) for n in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    with Session(engine) as session:
        result = audit.verify(session, key=audit_key)
        seq, digest = audit.head(session)
    total = writers * batches * size
    assert (result.ok, result.count) == (True, total)
    assert (seq, digest) == (total, result.head_hash)


def test_an_append_after_emptied_tables_starts_from_the_newest_event(
    engine: Engine, audit_key: bytes
) -> None:
    with session_scope(engine) as session:
        audit.append_many(session, key=audit_key, now=NOW, events=_events(3, "a"))
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM audit_head"))
    with session_scope(engine) as session:
        audit.append_many(session, key=audit_key, now=NOW, events=_events(2, "b"))
    with Session(engine) as session:
        result = audit.verify(session, key=audit_key)
        assert audit.head(session) == (5, result.head_hash)
    assert (result.ok, result.count) == (True, 5)
