"""/console/exposures: the leaked-credential lists imported with `hygiene exposures import`, each
with its source, reference and how many of its accounts are still to change (security). A list's
page shows the matched accounts, identifiers masked; unmatched entries were never stored."""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from hygiene.exposures import queries
from hygiene.web.auth import SecurityDep
from hygiene.web.console.common import page
from hygiene.web.deps import DepsDep, LocaleDep, SessionDep

router = APIRouter(prefix="/exposures")


@router.get("", response_class=HTMLResponse)
def listing(
    request: Request,
    locale: LocaleDep,
    session: SessionDep,
    deps: DepsDep,
    principal: SecurityDep,
) -> HTMLResponse:
    rows = queries.list_exposures(session, settings=deps.settings, now=deps.clock.now())
    return page(request, "console/exposures.html", locale, principal, rows=rows)


@router.get("/{exposure_id}", response_class=HTMLResponse)
def detail(
    request: Request,
    locale: LocaleDep,
    session: SessionDep,
    deps: DepsDep,
    principal: SecurityDep,
    exposure_id: int,
) -> HTMLResponse:
    found = queries.matches(session, exposure_id=exposure_id, settings=deps.settings)
    rows = queries.list_exposures(session, settings=deps.settings, now=deps.clock.now())
    exposure = next((row for row in rows if row.id == exposure_id), None)
    return page(
        request, "console/exposure.html", locale, principal, exposure=exposure, matches=found
    )
