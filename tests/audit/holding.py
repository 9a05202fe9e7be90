"""Tests of the background verifications (hygiene.audit.jobs): the verifier held in its thread
until released (what a poll or a page sees while a walk runs), and a walk left running on
record by a process that died."""

import threading
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from hygiene import db
from hygiene.audit import jobs as jobs_module
from hygiene.audit.models import AuditVerification
from hygiene.audit.verifier import verify
from hygiene.clock import Clock


def hold_verifier(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[threading.Event, list[str]]]:
    """Yield (the release event, the names of the threads each walk ran in)."""
    release, threads = threading.Event(), []

    def slow(session: Session, **kwargs: Any) -> Any:
        threads.append(threading.current_thread().name)
        assert release.wait(20)
        return verify(session, **kwargs)

    monkeypatch.setattr(jobs_module, "verify", slow)
    yield release, threads
    release.set()


def dead_walk(engine: Engine, clock: Clock) -> int:
    """A job running on record, its heartbeat now, whose process died; its id."""
    with db.session_scope(engine) as session:
        now = clock.now()
        dead = AuditVerification(status="running", owner="gone:1", started_at=now, heartbeat_at=now)
        session.add(dead)
    return db.row_id(dead.id)
