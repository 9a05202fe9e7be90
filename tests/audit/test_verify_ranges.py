"""verify() in ranges, each scanned by its own worker process, names the same first broken row
as one walk of the chain. 12 events in 3 ranges: seq 1-4 (scanned here), 5-8 and 9-12 (workers)."""

import os
import subprocess
import sys
from datetime import timedelta

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from hygiene.audit import ranges, verifier
from hygiene.audit import service as audit
from hygiene.audit.models import AuditEvent
from tests.audit.test_chain import tamper
from tests.audit.workers import spy_on_workers
from tests.conftest import NOW

KEY = b"r" * 32
RELINK = "UPDATE audit_event SET prev_hash = 'f' || substr(prev_hash, 2)"


@pytest.fixture
def spied(monkeypatch: pytest.MonkeyPatch) -> list[ranges.Part | None]:
    """Every worker's Part (None: that worker failed), so a test knows the workers did scan."""
    return spy_on_workers(monkeypatch)


def _fill(session: Session, n: int = 12) -> None:
    for i in range(n):
        audit.append(
            session, key=KEY, now=NOW + timedelta(seconds=i, microseconds=i), actor="cli:an",
            action="official.update", subject=f"official:CB{i + 1}",
            data={"full_name": ["Nguyễn Văn A", "Nguyễn Văn Ánh"], "n": i},
        )  # fmt: skip
    session.commit()


def _both(session: Session) -> tuple[audit.Verification, audit.Verification]:
    return audit.verify(session, key=KEY, workers=3), audit.verify(session, key=KEY, workers=1)


def test_it_verifies_an_intact_chain_in_three_ranges(
    session: Session, spied: list[ranges.Part | None]
) -> None:
    _fill(session)

    parallel, single = _both(session)

    assert (parallel.ok, parallel.count) == (True, 12)
    assert parallel == single
    assert [part is not None and part.first for part in spied] == [
        (5, parallel_hash(session, 4)),
        (9, parallel_hash(session, 8)),
    ]


def parallel_hash(session: Session, seq: int) -> str:
    return str(session.get(AuditEvent, seq).hash)  # type: ignore[union-attr]


def test_a_row_changed_in_every_range_is_named_at_the_earliest(
    session: Session, engine: Engine, spied: list[ranges.Part | None]
) -> None:
    _fill(session)
    tamper(engine, "UPDATE audit_event SET subject = 'x' WHERE seq IN (3, 6, 10)")

    parallel, single = _both(session)

    assert (parallel.first_bad_seq, parallel.reason, parallel.count) == (3, "hash", 2)
    assert parallel == single
    assert None not in spied


@pytest.mark.parametrize("seq", [6, 10])
def test_a_row_changed_in_a_worker_range_alone_is_named(
    session: Session, engine: Engine, seq: int
) -> None:
    _fill(session)
    tamper(engine, f"UPDATE audit_event SET data = '{{}}' WHERE seq = {seq}")

    parallel, single = _both(session)

    assert (parallel.first_bad_seq, parallel.reason, parallel.count) == (seq, "hash", seq - 1)
    assert parallel.head_hash == parallel_hash(session, seq - 1)
    assert parallel == single


@pytest.mark.parametrize(
    ("statement", "named"),
    [
        ("UPDATE audit_event SET actor = 'x' WHERE seq = 5", (5, "hash", 4)),  # first of a range
        ("UPDATE audit_event SET actor = 'x' WHERE seq = 8", (8, "hash", 7)),  # last of a range
        ("DELETE FROM audit_event WHERE seq = 5", (5, "gap", 4)),
        ("DELETE FROM audit_event WHERE seq = 4", (4, "gap", 3)),  # the range before ends short
        ("DELETE FROM audit_event WHERE seq BETWEEN 5 AND 8", (5, "gap", 4)),  # a range empty
        (f"{RELINK} WHERE seq = 9", (9, "link", 8)),  # the first row of a range
        (f"{RELINK} WHERE seq = 7", (7, "link", 6)),
    ],
)
def test_a_break_at_a_range_boundary_is_named_as_one_walk_names_it(
    session: Session, engine: Engine, statement: str, named: tuple[int, str, int]
) -> None:
    _fill(session)
    tamper(engine, statement)

    parallel, single = _both(session)

    assert (parallel.first_bad_seq, parallel.reason, parallel.count) == named
    assert parallel == single


def test_a_cut_tail_still_verifies_up_to_the_last_row(session: Session, engine: Engine) -> None:
    """The chain alone cannot see a cut tail (checkpoints do): the same answer as one walk."""
    _fill(session)
    tamper(engine, "DELETE FROM audit_event WHERE seq >= 10")

    parallel, single = _both(session)

    assert (parallel.ok, parallel.count, parallel.head_hash) == (True, 9, parallel_hash(session, 9))
    assert parallel == single


def test_a_wrong_key_fails_at_the_first_row_in_ranges(session: Session) -> None:
    _fill(session)

    result = audit.verify(session, key=b"x" * 32, workers=3)

    assert (result.ok, result.first_bad_seq, result.reason, result.count) == (False, 1, "hash", 0)


def test_more_suspects_than_a_worker_keeps_are_resolved_and_the_walk_goes_on(
    session: Session, engine: Engine
) -> None:
    """Times stored in another form (the same instants) fail the fast hash in every row: each
    worker stops after MAX_SUSPECTS of them, the rest of its range is walked here, and a real
    break after them is still found."""
    if engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL always returns the time in one form")
    _fill(session, 60)
    tamper(engine, "UPDATE audit_event SET at = replace(at, ' ', 'T') || '+00:00'")
    tamper(engine, "UPDATE audit_event SET subject = 'x' WHERE seq = 55")

    result = audit.verify(session, key=KEY, workers=2)

    assert (result.first_bad_seq, result.reason, result.count) == (55, "hash", 54)


def test_a_failed_worker_is_replaced_by_a_scan_here(
    session: Session, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    _fill(session)
    tamper(engine, "UPDATE audit_event SET subject = 'x' WHERE seq = 10")

    def broken(job: dict[str, object]) -> "subprocess.Popen[bytes]":
        command = [sys.executable, "-c", "raise SystemExit(1)"]
        return subprocess.Popen(command, stdout=subprocess.PIPE)

    monkeypatch.setattr(ranges, "start", broken)

    result = audit.verify(session, key=KEY, workers=3)

    assert (result.first_bad_seq, result.reason, result.count) == (10, "hash", 9)


def test_a_short_chain_is_walked_here_by_default(
    session: Session, spied: list[ranges.Part | None]
) -> None:
    _fill(session, 3)

    result = audit.verify(session, key=KEY)

    assert (result.ok, result.count, spied) == (True, 3, [])
    assert verifier.PARALLEL_MIN > 3


@pytest.mark.parametrize(("most", "workers"), [(None, 3), (3, 2), (2, 1), (1, 0)])
def test_a_long_chain_is_walked_by_one_process_per_cpu_at_most_the_setting(
    session: Session,
    spied: list[ranges.Part | None],
    monkeypatch: pytest.MonkeyPatch,
    most: int | None,
    workers: int,
) -> None:
    _fill(session)
    monkeypatch.setattr(verifier, "PARALLEL_MIN", 12)
    monkeypatch.setattr(os, "cpu_count", lambda: 4)

    result = audit.verify(session, key=KEY, most=most)

    assert (result.ok, result.count) == (True, 12)
    assert len(spied) == workers  # the range scanned here is not a worker's
    assert None not in spied
