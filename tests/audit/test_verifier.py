"""The streaming verifier agrees with compute_hash row by row, on both databases."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine
from sqlmodel import Session

from hygiene.audit import service as audit
from hygiene.audit import verifier
from tests.audit.test_chain import tamper

KEY = b"k" * 32


def _append(session: Session, n: int) -> None:
    start = datetime(2026, 3, 2, 3, 0, tzinfo=UTC)
    for i in range(n):
        audit.append(
            session, key=KEY, now=start + timedelta(seconds=i, microseconds=i * 7),
            actor="cli:an", action="official.update", subject=f"official:CB{i}",
            data={"full_name": ["Nguyễn Văn A", "Nguyễn Văn Ánh"], "n": i},
        )  # fmt: skip
    session.commit()


def test_every_stored_time_reads_back_as_the_hashed_text(session: Session) -> None:
    _append(session, 3)

    hashed = [
        audit.compute_hash(KEY, seq=seq, at=datetime.fromisoformat(verifier.iso_utc(at)),
                           actor=actor, action=action, subject=subject, data=data,
                           prev_hash=prev) == digest
        for seq, at, actor, action, subject, data, prev, digest in verifier.rows(session)
    ]  # fmt: skip

    assert hashed == [True, True, True]


def test_it_verifies_a_chain_longer_than_one_batch(session: Session) -> None:
    _append(session, 5)
    verifier_batch, verifier.BATCH = verifier.BATCH, 2
    try:
        result = audit.verify(session, key=KEY)
    finally:
        verifier.BATCH = verifier_batch

    assert (result.ok, result.count) == (True, 5)


def test_a_wrong_key_fails_at_the_first_row(session: Session) -> None:
    _append(session, 2)

    result = audit.verify(session, key=b"x" * 32)

    assert (result.ok, result.first_bad_seq, result.reason, result.count) == (False, 1, "hash", 0)


def test_a_time_stored_in_another_form_is_checked_the_exact_way(session: Session) -> None:
    """The fast path assumes SQLite's 26-character time; a row stored otherwise (the same
    instant) fails its fast hash, is checked again field by field, and holds."""
    _append(session, 3)
    engine = session.get_bind()
    assert isinstance(engine, Engine)
    if engine.dialect.name == "sqlite":
        tamper(
            engine, "UPDATE audit_event SET at = '2026-03-02T10:00:01.000007+07:00' WHERE seq = 2"
        )

    result = audit.verify(session, key=KEY)

    assert (result.ok, result.count) == (True, 3)


def test_a_changed_field_is_named_on_both_paths(session: Session) -> None:
    _append(session, 3)
    engine = session.get_bind()
    assert isinstance(engine, Engine)
    tamper(engine, "UPDATE audit_event SET subject = 'official:CB9' WHERE seq = 2")

    result = audit.verify(session, key=KEY)

    assert (result.ok, result.first_bad_seq, result.reason, result.count) == (False, 2, "hash", 1)
