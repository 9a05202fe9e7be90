"""/console/compliance/report: the monthly report in the form of an administrative document
(hygiene.reports.monthly), as a printable page and, at /report.pdf, as a PDF rendered on the
server. Either is as of today or of `as_of` (e.g. the last day of the month being reported)."""

from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlmodel import Session

from hygiene import i18n
from hygiene.bootstrap import Deps
from hygiene.reports import charts, compliance, monthly, pdf
from hygiene.web.auth import Principal, SecurityDep
from hygiene.web.console import compliance as compliance_page
from hygiene.web.console import dates
from hygiene.web.deps import DepsDep, LocaleDep, SessionDep

router = APIRouter(prefix="/compliance")


def _document(
    session: Session, deps: Deps, principal: Principal, locale: str, as_of: date | None
) -> tuple[str, dict[str, Any]]:
    at = compliance.clock_at(deps.settings, deps.clock.now(), as_of)
    user = principal.user
    # A console page: SecurityDep admits console users only. Named by display name when set.
    name = (user.display_name or user.email) if user is not None else principal.actor
    values = monthly.context(
        session,
        settings=deps.settings,
        audit_key=deps.audit_key,
        at=at,
        preparer=monthly.Preparer(name),
        locale=locale,
        checked_at=deps.clock.now(),
    )
    values["charts"] = {
        "on_time": charts.bars(
            [(u.unit, u.on_time_pct) for u in values["report"].units],
            title=i18n.t("console.compliance.chart_on_time", locale),
            locale=locale,
        )
    }
    return values["month"], values


@router.get("/report", response_class=HTMLResponse)
def printable(
    request: Request,
    locale: LocaleDep,
    session: SessionDep,
    deps: DepsDep,
    principal: SecurityDep,
    as_of: str = "",
) -> HTMLResponse:
    day = dates.read_day(as_of, field="console.compliance.as_of", locale=locale)
    if day.error:
        return compliance_page.dashboard_page(request, locale, session, deps, principal, as_of=day)
    _, values = _document(session, deps, principal, locale, day.day)
    html = monthly.render_html(
        values,
        locale=locale,
        back_link="/console/compliance",
        stylesheet_url="/console/compliance/report.css",
    )
    return HTMLResponse(html)


@router.get("/report.css")
def stylesheet(principal: SecurityDep) -> Response:
    return Response(monthly.stylesheet(), media_type="text/css")


@router.get("/report.pdf")
def as_pdf(
    locale: LocaleDep,
    session: SessionDep,
    deps: DepsDep,
    principal: SecurityDep,
    as_of: str = "",
) -> Response:
    month, values = _document(session, deps, principal, locale, dates.day_or_error(as_of))
    body = pdf.to_pdf(monthly.render_html(values, locale=locale))
    name = f"bao-cao-an-toan-tai-khoan-{month.replace('/', '-')}.pdf"
    return Response(
        body,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
