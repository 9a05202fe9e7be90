"""The /console/audit badge, read from the app's background verifications (hygiene.audit.jobs,
the same VerificationJobs as /api/v1/audit/verifications): the page never walks the chain in
its request. The first view in a process starts a verification; "Verify now" starts another."""

from dataclasses import dataclass
from datetime import datetime

from fastapi import Request

from hygiene.audit.jobs import Job, VerificationJobs
from hygiene.web.api.audit import VerificationOut, verification

FILTERS = ("actor", "action", "subject", "since", "until", "offset")
REFRESH_SECONDS = 3


@dataclass(frozen=True)
class Badge:
    """`state`: running | done | error (the latest job's status); `chain` once done;
    `never`: no verification has finished yet in this process."""

    state: str
    never: bool = False
    finished_at: datetime | None = None
    chain: VerificationOut | None = None


def jobs(request: Request) -> VerificationJobs:
    found: VerificationJobs = request.app.state.verifications
    return found


def _badge(job: Job, never: bool) -> Badge:
    chain = None if job.result is None else verification(job.result)
    return Badge(job.status, never, job.finished_at, chain)


def current(request: Request) -> Badge:
    """The latest verification's badge; none yet in this process: one is started now."""
    running = jobs(request)
    job = running.latest()
    if job is None:
        job, _started = running.start()
    return _badge(job, never=running.finished() is None)


def back(request: Request) -> str:
    """/console/audit with the filters (and page) of the query the form was posted with."""
    from urllib.parse import urlencode

    kept = {k: v for k, v in request.query_params.items() if k in FILTERS}
    return "/console/audit" + ("?" + urlencode(kept) if kept else "")
