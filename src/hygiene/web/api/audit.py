"""/api/v1/audit: the compliance log (security): filtered list and chain verification."""

from datetime import date, datetime, time, timedelta

from fastapi import APIRouter
from pydantic import BaseModel

from hygiene.audit import service as audit
from hygiene.bootstrap import Deps
from hygiene.reports import listing
from hygiene.reports.listing import AuditRow
from hygiene.web.api.common import PREFIX, Limit, Offset, Page
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


@router.get("/verify")
def verify(session: SessionDep, deps: DepsDep, _: SecurityDep) -> VerificationOut:
    return verification(audit.verify(session, key=deps.audit_key))
