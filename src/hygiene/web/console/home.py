"""/console: the landing page, a dashboard of what needs attention for the user's roles.

Cheap reads only: the inventory and compliance counts come from the latest daily snapshot
(a few hundred rows, hygiene.reports.snapshot) with the time it was stored; the current figures
are one click away on /console/compliance. The units without a head are read live, one indexed
probe per unit (hygiene.inventory.heads.without_head). An admin's delivery counts are one
index-only count of the outbox per status (they grow with the outbox, not the inventory).
"""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from hygiene.incidents import service as incidents
from hygiene.inventory import heads
from hygiene.reports import compliance, listing, snapshot
from hygiene.web.api.common import report_clock
from hygiene.web.auth import ADMIN, SECURITY, StaffDep
from hygiene.web.console.common import page
from hygiene.web.deps import DepsDep, LocaleDep, RuntimeDep, SessionDep

router = APIRouter()


@router.get("", response_class=HTMLResponse)
def home(
    request: Request,
    locale: LocaleDep,
    deps: DepsDep,
    runtime: RuntimeDep,
    session: SessionDep,
    principal: StaffDep,
) -> HTMLResponse:
    at = report_clock(deps)
    stored = snapshot.latest(session)
    deliveries = listing.status_counts(session) if ADMIN in principal.roles else None
    total = None
    security = SECURITY in principal.roles
    if stored is not None and security:
        total = compliance.unit_row(None, "*", stored.figures)
    return page(
        request,
        "console/home.html",
        locale,
        principal,
        summary=stored.figures if stored else None,
        units=snapshot.unit_count(session),
        stored_at=stored.taken_at.astimezone(deps.settings.zone) if stored else None,
        deliveries=deliveries,
        channel_errors=runtime.channel_errors,
        total=total,
        today=at.today,
        new_incidents=incidents.count_new(session) if security else None,
        headless=heads.without_head(session),
    )
