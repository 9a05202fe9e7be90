"""/api/v1/audit: the compliance log (security): filtered list and chain verification, run as
a background job (POST /audit/verifications starts one, GET /audit/verifications/{id} polls it)."""

from datetime import date, datetime, time, timedelta

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel

from hygiene.audit import service as audit
from hygiene.audit.jobs import Job, VerificationJobs
from hygiene.bootstrap import Deps
from hygiene.errors import NotFound
from hygiene.reports import listing
from hygiene.reports.listing import AuditRow
from hygiene.web.api.common import PREFIX, Limit, Offset, Page, RowId
from hygiene.web.auth import SecurityDep
from hygiene.web.deps import DepsDep, SessionDep

router = APIRouter(prefix=f"{PREFIX}/audit", tags=["audit"])


class VerificationOut(BaseModel):
    ok: bool
    count: int
    head_hash: str
    verified_up_to: int
    first_bad_seq: int | None
    reason: str | None


def day_bounds(
    deps: Deps, since: date | None, until: date | None
) -> tuple[datetime | None, datetime | None]:
    """Local calendar days → [start of `since`, end of `until`) as aware instants."""
    zone = deps.settings.zone
    start = datetime.combine(since, time(), tzinfo=zone) if since else None
    end = datetime.combine(until + timedelta(days=1), time(), tzinfo=zone) if until else None
    return start, end


@router.get("")
def list_events(
    session: SessionDep,
    deps: DepsDep,
    _: SecurityDep,
    actor: str | None = None,
    action: str | None = None,
    subject: str | None = None,
    since: date | None = None,
    until: date | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[AuditRow]:
    start, end = day_bounds(deps, since, until)
    items, total = listing.audit_events(
        session,
        actor=actor,
        action=action,
        subject=subject,
        since=start,
        until=end,
        limit=limit,
        offset=offset,
    )
    return Page(items=items, total=total, limit=limit, offset=offset)


def verification(result: audit.Verification) -> VerificationOut:
    """`verified_up_to`: the last event whose chain holds (#N on the console's badge)."""
    return VerificationOut(
        ok=result.ok,
        count=result.count,
        head_hash=result.head_hash,
        verified_up_to=result.count,  # events 1..count hold, whatever comes next
        first_bad_seq=result.first_bad_seq,
        reason=result.reason,
    )


class VerificationJobOut(BaseModel):
    """A background verification: `status` running, done or error; `result` once done;
    `error`, when it failed, why (its process stopped walking, or the log could not be read)."""

    id: int
    status: str
    started_at: datetime
    finished_at: datetime | None
    result: VerificationOut | None
    error: str | None = None


def _job_out(job: Job) -> VerificationJobOut:
    return VerificationJobOut(
        id=job.id,
        status=job.status,
        started_at=job.started_at,
        finished_at=job.finished_at,
        result=None if job.result is None else verification(job.result),
        error=job.error,
    )


def _jobs(request: Request, deps: Deps) -> VerificationJobs:
    """The app's verification jobs (made in create_app, one set per app)."""
    jobs: VerificationJobs = request.app.state.verifications
    return jobs


@router.post("/verifications", status_code=202)
def start_verification(
    request: Request, response: Response, session: SessionDep, deps: DepsDep, _: SecurityDep
) -> VerificationJobOut:
    """Start walking the chain in the background (or return the walk already running);
    poll GET /audit/verifications/{id} (its address is in Location)."""
    job, _started = _jobs(request, deps).start(session)
    response.headers["Location"] = f"{PREFIX}/audit/verifications/{job.id}"
    return _job_out(job)


@router.get("/verifications/{job_id}")
def verification_status(
    job_id: RowId, request: Request, deps: DepsDep, _: SecurityDep
) -> VerificationJobOut:
    job = _jobs(request, deps).get(job_id)
    if job is None:
        raise NotFound("audit.verification_not_found", id=job_id)
    return _job_out(job)
