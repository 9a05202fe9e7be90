"""Background verifications of the compliance log, for the API and the console.

A verification of a million events takes seconds; an HTTP request should not be held open for
it (a proxy's timeout, a client's retry starting a second walk). `VerificationJobs.start` records
a job and runs `verifier.verify` in a thread with its own read-only session, and returns at once;
the job is then polled by its id.

Jobs are rows (audit_verification), so every instance behind a load balancer answers a poll for
the same job, whichever instance answered the POST; ids come from the database. At most one
runs at a time across all instances (a partial unique index): starting one while another runs
returns the running one, so repeated POSTs cost one walk. While it runs, its thread renews
`heartbeat_at` every HEARTBEAT; a running job whose heartbeat is older than STALE (its process
died or hung) is closed as an error by the next start, which then runs a new one; until then a
poll already answers it as an error (INTERRUPTED), not as running for ever. Finished jobs
are kept (the last `KEEP`) so a poll after the end still finds the result.
"""

import logging
import os
import socket
import threading
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, Engine, delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col

from hygiene import db
from hygiene.audit.models import AuditVerification
from hygiene.audit.verifier import Verification, verify
from hygiene.clock import Clock, as_utc

KEEP = 20
HEARTBEAT = timedelta(seconds=10)
STALE = timedelta(seconds=60)
RUNNING, DONE, ERROR = "running", "done", "error"
INTERRUPTED = "interrupted: the process walking it stopped"
FAILED = "the walk failed (the log could not be read)"
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    id: int
    status: str  # running | done | error
    started_at: datetime
    finished_at: datetime | None = None
    result: Verification | None = None
    heartbeat_at: datetime | None = None
    error: str | None = None  # why an error job failed


def _job(row: AuditVerification) -> Job:
    result = None
    if row.status == DONE and row.ok is not None:
        result = Verification(
            ok=row.ok,
            count=row.count or 0,
            head_hash=row.head_hash or "",
            first_bad_seq=row.first_bad_seq,
            reason=row.reason,
        )
    finished = as_utc(row.finished_at) if row.finished_at is not None else None
    return Job(
        db.row_id(row.id),
        row.status,
        as_utc(row.started_at),
        finished,
        result,
        as_utc(row.heartbeat_at),
        (row.reason or FAILED) if row.status == ERROR else None,
    )


def _newest(session: Session, *where: ColumnElement[bool]) -> Job | None:
    """The newest job for which `where` holds, None when there is none."""
    query = select(AuditVerification).where(*where).order_by(col(AuditVerification.id).desc())
    row = session.execute(query.limit(1)).scalars().first()
    return _job(row) if row is not None else None


class VerificationJobs:
    def __init__(self, engine: Engine, key: bytes, clock: Clock, most: int | None = None) -> None:
        """`most`: at most this many processes walk a long chain (security.verify_workers)."""
        self._engine, self._key, self._clock, self._most = engine, key, clock, most
        self._owner = f"{socket.gethostname()}:{os.getpid()}"
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def start(self, session: Session | None = None) -> tuple[Job, bool]:
        """(the job, whether this call started it): a running job, of any instance, is
        returned instead. With `session` (a request's), the job is recorded in it and the
        session is committed before the walk starts: on SQLite a second writer would wait for
        the request's own write lock."""
        if session is None:
            with db.session_scope(self._engine) as own:
                return self.start(own)
        job, started = self._claim(session, self._clock.now())
        session.commit()  # the row is visible before its walk records anything
        if started:
            thread = threading.Thread(
                target=self._run, args=(job,), name="audit-verify", daemon=True
            )
            with self._lock:
                self._thread = thread
            thread.start()
        return job, started

    def _claim(self, session: Session, now: datetime) -> tuple[Job, bool]:
        self._close_stale(session, now)
        running = _newest(session, col(AuditVerification.status) == RUNNING)
        if running is not None:
            return running, False
        row = AuditVerification(status=RUNNING, owner=self._owner, started_at=now, heartbeat_at=now)
        try:
            with session.begin_nested():
                session.add(row)
        except IntegrityError:  # another instance started one between our read and insert
            running = _newest(session, col(AuditVerification.status) == RUNNING)
            if running is None:
                raise
            return running, False
        self._forget_old(session)
        return _job(row), True

    def wait(self, timeout: float = 30.0) -> None:
        """Wait (up to `timeout` s) for the verification this process runs: the app's shutdown,
        so no walk is left holding a connection while the engine goes away."""
        with self._lock:
            thread = self._thread
        if thread is not None:
            thread.join(timeout)

    def latest(self) -> Job | None:
        """The job started last (running or finished), None before the first."""
        return self._newest()

    def finished(self) -> Job | None:
        """The job that finished last (done or error), None while none has."""
        return self._newest(col(AuditVerification.status) != RUNNING)

    def abandoned(self, job: Job) -> bool:
        """`job` runs on record, but its process stopped renewing the heartbeat: the next
        start() closes it as an error and runs a new walk."""
        beat = job.heartbeat_at
        return job.status == RUNNING and beat is not None and beat < self._clock.now() - STALE

    def get(self, job_id: int) -> Job | None:
        """The job as a poll sees it: an abandoned one is an error (INTERRUPTED), finished
        when its heartbeat stopped, although its row says running until the next start."""
        with db.read_session(self._engine) as session:
            row = session.get(AuditVerification, job_id)
            job = _job(row) if row is not None else None
        if job is not None and self.abandoned(job):
            return replace(job, status=ERROR, finished_at=job.heartbeat_at, error=INTERRUPTED)
        return job

    def _newest(self, *where: ColumnElement[bool]) -> Job | None:
        with db.read_session(self._engine) as session:
            return _newest(session, *where)

    @staticmethod
    def _close_stale(session: Session, now: datetime) -> None:
        session.execute(
            update(AuditVerification)
            .where(
                col(AuditVerification.status) == RUNNING,
                col(AuditVerification.heartbeat_at) < now - STALE,
            )
            .values(status=ERROR, finished_at=now, reason=INTERRUPTED)
        )

    @staticmethod
    def _forget_old(session: Session) -> None:
        kept = (
            select(col(AuditVerification.id))
            .order_by(col(AuditVerification.id).desc())
            .limit(KEEP)
            .scalar_subquery()
        )
        session.execute(delete(AuditVerification).where(col(AuditVerification.id).not_in(kept)))

    def _finish(self, job: Job, status: str, result: Verification | None) -> None:
        values: dict[str, object] = {"status": status, "finished_at": self._clock.now()}
        if result is not None:
            values.update(
                ok=result.ok,
                count=result.count,
                head_hash=result.head_hash,
                first_bad_seq=result.first_bad_seq,
                reason=result.reason,
            )
        self._write(job, values)

    def _beat(self, job: Job, done: threading.Event) -> None:
        while not done.wait(HEARTBEAT.total_seconds()):
            try:
                beat = {"heartbeat_at": self._clock.now()}
                self._write(job, beat, col(AuditVerification.status) == RUNNING)
            except Exception as exc:  # the database is failing: the walk will fail too
                log.warning("audit verification %d: heartbeat failed: %s", job.id, exc)

    def _write(self, job: Job, values: Mapping[str, object], *where: ColumnElement[bool]) -> None:
        """UPDATE `job`'s row (where `where` also holds) in a transaction of its own."""
        with db.session_scope(self._engine) as session:
            session.execute(
                update(AuditVerification)
                .where(col(AuditVerification.id) == job.id, *where)
                .values(**values)
            )

    def _run(self, job: Job) -> None:
        done = threading.Event()
        beat = threading.Thread(target=self._beat, args=(job, done), name="audit-verify-beat")
        beat.daemon = True
        beat.start()
        try:
            with db.read_session(self._engine) as session:
                result = verify(session, key=self._key, most=self._most)
        except Exception as exc:
            log.warning("audit verification %d failed: %s", job.id, type(exc).__name__)
            status, found = ERROR, None
        else:
            status, found = DONE, result
        finally:
            done.set()
            beat.join()
        try:
            self._finish(job, status, found)
        except Exception as exc:  # left running: its heartbeat stops, the next start closes it
            log.warning("audit verification %d: result not recorded: %s", job.id, exc)
