"""The /console/audit badge, read from the background verifications (hygiene.audit.jobs, the same
jobs as /api/v1/audit/verifications, shared by every instance): the page never walks the chain
in its request. The first view when none is on record starts one; "Verify now" starts another."""

from dataclasses import dataclass
from datetime import datetime

from fastapi import Request
from sqlmodel import Session

from hygiene.audit.jobs import Job, VerificationJobs
from hygiene.web.api.audit import VerificationOut, verification

FILTERS = ("actor", "action", "subject", "since", "until", "offset")
REFRESH_SECONDS = 3


@dataclass(frozen=True)
class Badge:
    """`state`: running | done | error (the latest job's status); `chain` once done;
    `never`: no verification has finished yet."""

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


def current(request: Request, session: Session) -> Badge:
    """The latest verification's badge; none on record yet, or the latest abandoned by a
    process that died while walking: one is started now."""
    running = jobs(request)
    job = running.latest()
    if job is None or running.abandoned(job):
        job, _started = running.start(session)
    return _badge(job, never=running.finished() is None)


def back(request: Request) -> str:
    """/console/audit with the filters (and page) of the query the form was posted with."""
    from urllib.parse import urlencode

    kept = {k: v for k, v in request.query_params.items() if k in FILTERS}
    return "/console/audit" + ("?" + urlencode(kept) if kept else "")
