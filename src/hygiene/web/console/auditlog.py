"""/console/audit: the compliance-log viewer with filters, the "chain verified up to #N" badge
and a CSV export of what is shown (security)."""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from hygiene.audit import service as audit
from hygiene.reports import listing
from hygiene.web.api.audit import day_bounds, verification
from hygiene.web.auth import SecurityDep
from hygiene.web.console.common import PAGE_SIZE, Pager, page
from hygiene.web.console.dates import day_or_error, read_day
from hygiene.web.console.exports import csv_download
from hygiene.web.deps import DepsDep, LocaleDep, SessionDep

router = APIRouter(prefix="/audit")
EXPORT_LIMIT = 100_000


@router.get("", response_class=HTMLResponse)
def log(
    request: Request,
    locale: LocaleDep,
    session: SessionDep,
    deps: DepsDep,
    principal: SecurityDep,
    actor: str = "",
    action: str = "",
    subject: str = "",
    since: str = "",
    until: str = "",
    offset: int = 0,
) -> HTMLResponse:
    offset = max(0, offset)
    first = read_day(since, field="console.audit.since", locale=locale)
    last = read_day(until, field="console.audit.until", locale=locale)
    start, end = day_bounds(deps, first.day, last.day)
    rows, total = listing.audit_events(
        session,
        actor=actor,
        action=action,
        subject=subject,
        since=start,
        until=end,
        limit=PAGE_SIZE,
        offset=offset,
    )
    return page(
        request,
        "console/audit.html",
        locale,
        principal,
        rows=rows,
        filters={"actor": actor, "action": action, "subject": subject},
        status_code=400 if first.error or last.error else 200,
        since=first,
        until=last,
        chain=verification(audit.verify(session, key=deps.audit_key)),
        pager=Pager(offset=offset, total=total),
        zone=deps.settings.zone,
    )


@router.get("/export.csv")
def export_csv(
    session: SessionDep,
    deps: DepsDep,
    principal: SecurityDep,
    actor: str = "",
    action: str = "",
    subject: str = "",
    since: str = "",
    until: str = "",
) -> Response:
    filters = {"actor": actor, "action": action, "subject": subject}
    start, end = day_bounds(deps, day_or_error(since), day_or_error(until))
    rows, _ = listing.audit_events(
        session,
        actor=actor,
        action=action,
        subject=subject,
        since=start,
        until=end,
        limit=EXPORT_LIMIT,
    )
    return csv_download(
        session,
        deps,
        actor=principal.actor,
        name="audit",
        header=["seq", "at", "actor", "action", "subject", "data"],
        rows=[
            [r.seq, r.at.isoformat(), r.actor, r.action, r.subject, r.data] for r in reversed(rows)
        ],
        filters={**filters, "since": since, "until": until},
    )
