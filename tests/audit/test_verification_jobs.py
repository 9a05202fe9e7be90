"""Background verifications are rows: two instances (two VerificationJobs, each on its own
engine, sharing nothing but the database) answer for the same jobs, run at most one at a time,
and a job whose process died is closed by the next start."""

import os
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from hygiene import db
from hygiene.audit import jobs as jobs_module
from hygiene.audit import service as audit
from hygiene.audit import verifier
from hygiene.audit.jobs import Job, VerificationJobs
from hygiene.audit.models import AuditVerification
from hygiene.clock import FixedClock, as_utc
from hygiene.settings import Settings
from tests.audit.holding import dead_walk, hold_verifier
from tests.audit.workers import spy_on_workers

KEY = b"k" * 32


@pytest.fixture
def chain(engine: Engine, clock: FixedClock) -> int:
    """A log of 5 events; its length."""
    with db.session_scope(engine) as session:
        for i in range(5):
            audit.append(
                session, key=KEY, now=clock.now(), actor="test", action="test.event", subject=f"{i}"
            )
    return 5


@pytest.fixture
def instances(settings: Settings, clock: FixedClock) -> Iterator[list[VerificationJobs]]:
    """Two instances of the service: their own engines, their own VerificationJobs."""
    engines = [db.make_engine(settings.db_url) for _ in range(2)]
    made = [VerificationJobs(engine, KEY, clock) for engine in engines]
    yield made
    for jobs in made:
        jobs.wait()
    for engine in engines:
        engine.dispose()


@pytest.fixture
def held(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[threading.Event, list[str]]]:
    """The verifier, held until the event is set; one entry per walk that started."""
    yield from hold_verifier(monkeypatch)


def finished(jobs: VerificationJobs, job_id: int) -> Job:
    deadline = time.monotonic() + 20
    while (job := jobs.get(job_id)) is None or job.status == "running":
        assert time.monotonic() < deadline, "the verification did not finish"
        time.sleep(0.02)
    return job


def test_a_job_started_on_one_instance_is_polled_on_the_other(
    instances: list[VerificationJobs], chain: int
) -> None:
    first, second = instances

    job, started = first.start()
    done = finished(second, job.id)

    assert started
    assert done.status == "done"
    assert done.result is not None
    assert done.result.ok
    assert done.result.count == chain
    assert second.latest() == done == first.get(job.id)
    assert second.finished() == done


def test_a_start_on_another_instance_returns_the_running_walk(
    instances: list[VerificationJobs], held: tuple[threading.Event, list[str]]
) -> None:
    release, walks = held
    first, second = instances

    job, started = first.start()
    again, started_again = second.start()

    assert started
    assert not started_again
    assert again == job
    release.set()
    finished(first, job.id)
    assert walks == ["audit-verify"]  # one walk for both starts
    following, started_later = second.start()
    assert started_later
    assert following.id == job.id + 1  # the database numbers jobs, not each instance


def test_concurrent_starts_on_both_instances_run_one_walk(
    instances: list[VerificationJobs], held: tuple[threading.Event, list[str]]
) -> None:
    release, walks = held
    barrier, answers = threading.Barrier(8), []

    def start(jobs: VerificationJobs) -> None:
        barrier.wait()
        answers.append(jobs.start())

    threads = [threading.Thread(target=start, args=(instances[i % 2],)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    assert len(answers) == 8
    assert sum(started for _, started in answers) == 1
    assert len({job.id for job, _ in answers}) == 1
    release.set()
    finished(instances[0], answers[0][0].id)
    assert walks == ["audit-verify"]


def test_a_job_whose_process_died_is_closed_by_the_next_start(
    engine: Engine, instances: list[VerificationJobs], clock: FixedClock
) -> None:
    dead = dead_walk(engine, clock)
    first = instances[0]

    waiting, started = first.start()  # its heartbeat is recent: it may still be walking
    clock.advance(jobs_module.STALE + timedelta(seconds=1))
    job, started_now = first.start()

    assert (waiting.id, started) == (dead, False)
    assert started_now
    assert job.id != dead
    closed = first.get(dead)
    assert closed is not None
    assert closed.status == "error"
    assert closed.finished_at == clock.now()
    assert closed.error == jobs_module.INTERRUPTED
    assert finished(first, job.id).status == "done"


def test_a_poll_answers_an_abandoned_job_as_interrupted_before_any_start(
    engine: Engine, instances: list[VerificationJobs], clock: FixedClock
) -> None:
    dead = dead_walk(engine, clock)
    beat = clock.now()
    first, second = instances
    recent = first.get(dead)
    clock.advance(jobs_module.STALE + timedelta(seconds=1))

    polled = second.get(dead)

    assert recent is not None
    assert (recent.status, recent.error) == ("running", None)
    assert polled is not None
    assert (polled.status, polled.finished_at) == ("error", beat)
    assert polled.error == jobs_module.INTERRUPTED
    assert _status(engine, dead) == "running"  # only a start closes the row


def _status(engine: Engine, job_id: int) -> str:
    with Session(engine) as session:
        row = session.get(AuditVerification, job_id)
        assert row is not None
        return row.status


def test_the_walking_instance_renews_the_heartbeat(
    engine: Engine,
    instances: list[VerificationJobs],
    clock: FixedClock,
    held: tuple[threading.Event, list[str]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    release, _ = held
    monkeypatch.setattr(jobs_module, "HEARTBEAT", timedelta(seconds=0.05))
    first, second = instances
    job, _ = first.start()
    started = clock.now()

    clock.advance(jobs_module.STALE * 2)
    later = clock.now()
    deadline = time.monotonic() + 10
    while _heartbeat(engine, job.id) != later:
        assert time.monotonic() < deadline, "the heartbeat was not renewed"
        time.sleep(0.02)
    again, started_again = second.start()  # not stale: the walk goes on

    assert later > started
    assert (again.id, started_again) == (job.id, False)
    release.set()
    assert finished(second, job.id).status == "done"


def _heartbeat(engine: Engine, job_id: int) -> Any:
    with Session(engine) as session:
        row = session.get(AuditVerification, job_id)
        assert row is not None
        return as_utc(row.heartbeat_at)


def test_only_the_last_jobs_are_kept(instances: list[VerificationJobs]) -> None:
    first = instances[0]
    ids = []
    for _ in range(jobs_module.KEEP + 2):
        job, _started = first.start()
        ids.append(finished(first, job.id).id)

    assert first.get(ids[0]) is None
    assert first.get(ids[1]) is None
    assert first.get(ids[2]) is not None
    assert first.latest() == first.get(ids[-1])


def test_an_unknown_job_is_none(instances: list[VerificationJobs]) -> None:
    assert instances[0].get(12345) is None
    assert instances[0].latest() is None
    assert instances[0].finished() is None


def test_a_background_walk_uses_at_most_the_configured_processes(
    settings: Settings, clock: FixedClock, chain: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(verifier, "PARALLEL_MIN", 1)
    monkeypatch.setattr(os, "cpu_count", lambda: 3)
    parts = spy_on_workers(monkeypatch)
    engine = db.make_engine(settings.db_url)
    jobs = VerificationJobs(engine, KEY, clock, most=2)
    try:
        job, _ = jobs.start()
        done = finished(jobs, job.id)
    finally:
        jobs.wait()
        engine.dispose()

    assert done.result is not None
    assert (done.result.ok, done.result.count) == (True, chain)
    assert len(parts) == 1
