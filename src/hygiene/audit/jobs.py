"""Background verifications of the compliance log, for the API.

A verification of a million events takes seconds; an HTTP request should not be held open for
it (a proxy's timeout, a client's retry starting a second walk). `VerificationJobs.start` runs
`verifier.verify` in a thread with its own read-only session and returns at once; the job is
then polled by its id. One verification runs at a time per process: starting one while another
runs returns the running one, so repeated POSTs cost one walk. Finished jobs are kept (the last
`KEEP`) so a poll after the end still finds the result. Jobs live in the process: behind several
instances, poll the instance that answered the POST (or verify with `hygiene audit verify`).
"""

import itertools
import logging
import threading
from collections import OrderedDict
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import Engine

from hygiene import db
from hygiene.audit.verifier import Verification, verify
from hygiene.clock import Clock

KEEP = 20
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    id: int
    status: str  # running | done | error
    started_at: datetime
    finished_at: datetime | None = None
    result: Verification | None = None


class VerificationJobs:
    def __init__(self, engine: Engine, key: bytes, clock: Clock) -> None:
        self._engine, self._key, self._clock = engine, key, clock
        self._jobs: OrderedDict[int, Job] = OrderedDict()
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def start(self) -> tuple[Job, bool]:
        """(the job, whether this call started it): a running job is returned instead."""
        with self._lock:
            running = [j for j in self._jobs.values() if j.status == "running"]
            if running:
                return running[0], False
            job = Job(next(self._ids), "running", self._clock.now())
            self._jobs[job.id] = job
            while len(self._jobs) > KEEP:
                self._jobs.popitem(last=False)
        thread = threading.Thread(target=self._run, args=(job,), name="audit-verify", daemon=True)
        with self._lock:
            self._thread = thread
        thread.start()
        return job, True

    def wait(self, timeout: float = 30.0) -> None:
        """Wait (up to `timeout` s) for the running verification: the app's shutdown, so no walk
        is left holding a connection while the engine goes away."""
        with self._lock:
            thread = self._thread
        if thread is not None:
            thread.join(timeout)

    def latest(self) -> Job | None:
        """The job started last (running or finished), None before the first in this process."""
        with self._lock:
            return next(reversed(self._jobs.values()), None)

    def finished(self) -> Job | None:
        """The job that finished last (done or error), None while none has in this process."""
        with self._lock:
            return next((j for j in reversed(self._jobs.values()) if j.status != "running"), None)

    def get(self, job_id: int) -> Job | None:
        with self._lock:
            return self._jobs.get(job_id)

    def _finish(self, job: Job, status: str, result: Verification | None) -> None:
        with self._lock:
            self._jobs[job.id] = replace(
                job, status=status, finished_at=self._clock.now(), result=result
            )

    def _run(self, job: Job) -> None:
        try:
            with db.read_session(self._engine) as session:
                result = verify(session, key=self._key)
        except Exception as exc:
            log.warning("audit verification %d failed: %s", job.id, type(exc).__name__)
            self._finish(job, "error", None)
        else:
            self._finish(job, "done", result)
