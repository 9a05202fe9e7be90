"""The verifier of hygiene.audit.jobs, held in its thread until released (tests of the
background verifications: what a poll or a page sees while a walk runs)."""

import threading
from collections.abc import Iterator
from typing import Any

import pytest
from sqlmodel import Session

from hygiene.audit import jobs as jobs_module
from hygiene.audit.verifier import verify


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
