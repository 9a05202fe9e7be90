"""/console/sources: each directory source's state (admins and the security officer), and for
the security officer the verified/declared split per unit and "declared but not seen"."""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from hygiene import i18n
from hygiene.reports import compliance
from hygiene.sources import evidence, findings, status
from hygiene.web.auth import SECURITY, StaffDep
from hygiene.web.console.common import page
from hygiene.web.deps import DepsDep, LocaleDep, SessionDep

router = APIRouter(prefix="/sources")


@router.get("", response_class=HTMLResponse)
def sources_page(
    request: Request, session: SessionDep, deps: DepsDep, locale: LocaleDep, principal: StaffDep
) -> HTMLResponse:
    settings = deps.settings
    health = status.health(session, settings=settings)
    report = found = None
    if SECURITY in principal.roles:
        at = compliance.clock_at(settings, deps.clock.now())
        report = evidence.report(session, settings=settings, at=at)
        found = findings.declared_not_seen(session, settings=settings, today=at.today)
    return page(
        request,
        "console/sources.html",
        locale,
        principal,
        health=health,
        configs=settings.sources.entries,
        report=report,
        findings=found,
        grace_days=settings.sources.grace_days,
        fmt=i18n.format_value,
    )
