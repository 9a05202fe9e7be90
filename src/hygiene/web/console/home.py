"""/console: the landing page, a dashboard of what needs attention for the user's roles."""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from hygiene.inventory import service as inventory
from hygiene.reports import compliance, listing
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
    summary = inventory.summary(session, policies=deps.settings.policies, today=at.today)
    deliveries = listing.status_counts(session) if ADMIN in principal.roles else None
    total = None
    if SECURITY in principal.roles:
        rows = compliance.by_unit(session, policies=deps.settings.policies, at=at)
        total = compliance.total_of(rows)
    return page(
        request,
        "console/home.html",
        locale,
        principal,
        summary=summary,
        deliveries=deliveries,
        channel_errors=runtime.channel_errors,
        total=total,
        today=at.today,
    )
