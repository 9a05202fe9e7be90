"""A worker that never answers does not block verify(): after its allowance the parent kills
it and walks its range itself, and the verdict is the same as one walk's. The workers here are
`sleep 60` (ranges.COMMAND), waited for 0.3 s each."""

import logging
import signal
import subprocess
import time
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from hygiene.audit import ranges
from hygiene.audit import service as audit
from tests.audit.test_chain import tamper
from tests.audit.test_verify_ranges import KEY, _fill


@pytest.fixture
def hung(monkeypatch: pytest.MonkeyPatch) -> list["subprocess.Popen[bytes]"]:
    """Every worker started (each a `sleep 60`), with a 0.3 s allowance."""
    workers: list[subprocess.Popen[bytes]] = []
    original = ranges.start

    def start(job: dict[str, Any]) -> "subprocess.Popen[bytes]":
        workers.append(original(job))
        return workers[-1]

    monkeypatch.setattr(ranges, "COMMAND", ["sleep", "60"])
    monkeypatch.setattr(ranges, "WAIT_FLOOR", 0.3)
    monkeypatch.setattr(ranges, "WAIT_PER_ROW", 0.0)
    monkeypatch.setattr(ranges, "start", start)
    return workers


def _timed(session: Session) -> tuple[audit.Verification, float]:
    began = time.monotonic()
    result = audit.verify(session, key=KEY, workers=3)
    return result, time.monotonic() - began


@pytest.mark.parametrize("statement", [None, "UPDATE audit_event SET subject = 'x' WHERE seq = 10"])
def test_a_hung_worker_is_killed_and_its_range_walked_here(
    session: Session,
    engine: Engine,
    hung: list["subprocess.Popen[bytes]"],
    caplog: pytest.LogCaptureFixture,
    statement: str | None,
) -> None:
    _fill(session)
    if statement:
        tamper(engine, statement)

    with caplog.at_level(logging.WARNING, logger="hygiene.audit.verifier"):
        parallel, seconds = _timed(session)
    single = audit.verify(session, key=KEY, workers=1)

    assert parallel == single
    assert (parallel.ok, parallel.first_bad_seq) == ((True, None) if not statement else (False, 10))
    assert seconds < 10  # two 0.3 s waits, not the workers' 60 s
    assert len(hung) == 2
    assert [w.returncode for w in hung] == [-signal.SIGKILL] * 2
    assert sum("failed or hung" in r.getMessage() for r in caplog.records) == 2


def test_the_allowance_grows_with_the_range() -> None:
    assert ranges.allowance(0) == ranges.WAIT_FLOOR >= 60
    assert ranges.allowance(1_000_000) > ranges.allowance(1_000) > ranges.WAIT_FLOOR
