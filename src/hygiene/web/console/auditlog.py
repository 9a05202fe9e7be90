"""/console/audit: the compliance-log viewer with filters, the "chain verified up to #N" badge
(from the latest background verification, see audit_badge; POST /verify starts one)
and a CSV export of what is shown (security). Actions and actors are shown by their labels
(hygiene.labels: `audit_action`, `audit_actor`), with the stored code in the cell's title, which
is what the filters match."""

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session

from hygiene import labels
from hygiene.reports import listing
from hygiene.web.api.audit import day_bounds
from hygiene.web.auth import SecurityDep
from hygiene.web.console import audit_badge
from hygiene.web.console.common import PAGE_SIZE, Csrf, Pager, page
from hygiene.web.console.dates import day_or_error, read_day
from hygiene.web.console.exports import csv_download
from hygiene.web.deps import DepsDep, LocaleDep, SessionDep

router = APIRouter(prefix="/audit")
EXPORT_LIMIT = 100_000


@dataclass(frozen=True)
class AuditFilters:
    """The page's and the export's query: who, what, on what, between which days (dd/mm/yyyy)."""

    actor: str = ""
    action: str = ""
    subject: str = ""
    since: str = ""
    until: str = ""

    def codes(self) -> dict[str, str]:
        return {"actor": self.actor, "action": self.action, "subject": self.subject}


FiltersDep = Annotated[AuditFilters, Depends()]


def _events(
    session: Session,
    filters: AuditFilters,
    days: tuple[datetime | None, datetime | None],
    *,
    limit: int,
    offset: int = 0,
) -> tuple[list[listing.AuditRow], int]:
    return listing.audit_events(
        session,
        actor=filters.actor,
        action=filters.action,
        subject=filters.subject,
        since=days[0],
        until=days[1],
        limit=limit,
        offset=offset,
    )


@router.get("", response_class=HTMLResponse)
def log(
    request: Request,
    locale: LocaleDep,
    session: SessionDep,
    deps: DepsDep,
    principal: SecurityDep,
    filters: FiltersDep,
    offset: int = 0,
) -> HTMLResponse:
    offset = max(0, offset)
    first = read_day(filters.since, field="console.audit.since", locale=locale)
    last = read_day(filters.until, field="console.audit.until", locale=locale)
    start, end = day_bounds(deps, first.day, last.day)
    rows, total = _events(session, filters, (start, end), limit=PAGE_SIZE, offset=offset)
    return page(
        request,
        "console/audit.html",
        locale,
        principal,
        rows=rows,
        filters=filters.codes(),
        status_code=400 if first.error or last.error else 200,
        since=first,
        until=last,
        badge=audit_badge.current(request, session),
        refresh=audit_badge.REFRESH_SECONDS,
        pager=Pager(offset=offset, total=total),
        zone=deps.settings.zone,
        actor_label=lambda code: labels.actor(code, locale),
    )


@router.post("/verify", dependencies=[Csrf])
def verify_now(request: Request, session: SessionDep, _: SecurityDep) -> RedirectResponse:
    """Start a verification in the background (or keep the one running); back to the page."""
    audit_badge.jobs(request).start(session)
    return RedirectResponse(audit_badge.back(request), status_code=303)


@router.get("/export.csv")
def export_csv(
    session: SessionDep, deps: DepsDep, principal: SecurityDep, filters: FiltersDep
) -> Response:
    start, end = day_bounds(deps, day_or_error(filters.since), day_or_error(filters.until))
    rows, _ = _events(session, filters, (start, end), limit=EXPORT_LIMIT)
    return csv_download(
        session,
        deps,
        actor=principal.actor,
        name="audit",
        header=["seq", "at", "actor", "action", "subject", "data"],
        rows=[
            [r.seq, r.at.isoformat(), r.actor, r.action, r.subject, r.data] for r in reversed(rows)
        ],
        filters=asdict(filters),
    )
