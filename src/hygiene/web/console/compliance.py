"""/console/compliance: the per-unit dashboard with offline SVG charts, the drill-down to
officials and a CSV export (security). The monthly report is hygiene.web.console.monthly."""

from datetime import timedelta

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, Response
from sqlmodel import Session

from hygiene import i18n
from hygiene.bootstrap import Deps
from hygiene.inventory import service as inventory
from hygiene.inventory.models import Unit
from hygiene.reports import charts, compliance, monthly, profiles
from hygiene.reports.compliance import ComplianceReport
from hygiene.reports.trend import WeekPoint
from hygiene.web.api.common import report_clock
from hygiene.web.auth import Principal, SecurityDep
from hygiene.web.console import dates
from hygiene.web.console.common import page
from hygiene.web.console.exports import csv_download
from hygiene.web.deps import DepsDep, LocaleDep, SessionDep

router = APIRouter(prefix="/compliance")


CSV_COLUMNS = [
    "unit",
    "officials",
    "accounts",
    "on_time",
    "overdue",
    "on_time_pct",
    "mfa",
    "mfa_pct",
    "browser_saved",
    "officials_browser_saved",
    "browser_declared",
    "advisory_expected",
    "advisory_acked",
    "probe_officials",
    "probe_saved_logins",
    "advisory_ack_pct",
]


def week_label(point: WeekPoint, locale: str) -> str:
    """ "Tuần 48" / "Week 48": the ISO week of the point's last day."""
    return i18n.t("district_web.chart.week", locale, n=point.ending.isocalendar().week)


def week_days(point: WeekPoint, locale: str) -> str:
    """ "Tuần 48 (23/11–29/11/2026)": the week and its days, for the dot's tooltip."""
    monday = point.ending - timedelta(days=point.ending.weekday())
    return i18n.t(
        "district_web.chart.week_days",
        locale,
        n=point.ending.isocalendar().week,
        first=monday.strftime("%d/%m"),
        last=i18n.format_date(monday + timedelta(days=6)),
    )


def _charts(report: ComplianceReport, locale: str) -> dict[str, object]:
    t = i18n.t
    return {
        "on_time_chart": charts.bars(
            [(u.unit, u.on_time_pct) for u in report.units],
            title=t("console.compliance.chart_on_time", locale),
            locale=locale,
        ),
        "mfa_chart": charts.bars(
            [(u.unit, u.mfa_pct) for u in report.units],
            title=t("console.compliance.chart_mfa", locale),
            locale=locale,
        ),
        "trend_chart": charts.line(
            [(week_label(p, locale), p.on_time_pct) for p in report.trend],
            title=t("console.compliance.chart_trend", locale),
            locale=locale,
            details=[week_days(p, locale) for p in report.trend],
        ),
    }


@router.get("", response_class=HTMLResponse)
def dashboard(
    request: Request,
    locale: LocaleDep,
    session: SessionDep,
    deps: DepsDep,
    principal: SecurityDep,
    unit: str = "",
) -> HTMLResponse:
    return dashboard_page(request, locale, session, deps, principal, unit=unit)


def _incidents(session: Session, deps: Deps, report: ComplianceReport) -> dict[int, int]:
    """This month's incident reports per unit shown (a unit with none has 0)."""
    counts = monthly.incidents_this_month(session, settings=deps.settings, today=report.as_of)
    return {u.unit_id: counts.get(u.unit_id, 0) for u in report.units if u.unit_id is not None}


def dashboard_page(
    request: Request,
    locale: str,
    session: Session,
    deps: Deps,
    principal: Principal,
    *,
    unit: str = "",
    as_of: dates.DayField | None = None,
) -> HTMLResponse:
    """The dashboard; `as_of` is the report-day field when it was filled in wrong (a 400)."""
    at = report_clock(deps)
    report = compliance.report(session, policies=deps.settings.policies, at=at, unit=unit or None)
    return page(
        request,
        "console/compliance.html",
        locale,
        principal,
        status_code=400 if as_of is not None and as_of.error else 200,
        report=report,
        incidents=_incidents(session, deps, report),
        as_of=as_of or dates.of(report.as_of),
        profile_note=profiles.note(deps.settings.policies, locale),
        unit=unit,
        all_units=inventory.unit_names(session),
        **_charts(report, locale),
    )


@router.get("/units/{unit_id}", response_class=HTMLResponse)
def unit_officials(
    request: Request,
    unit_id: int,
    locale: LocaleDep,
    session: SessionDep,
    deps: DepsDep,
    principal: SecurityDep,
) -> HTMLResponse:
    found = session.get(Unit, unit_id)
    if found is None:
        raise HTTPException(404, "http.404")
    at = report_clock(deps)
    policies = deps.settings.policies
    return page(
        request,
        "console/compliance_unit.html",
        locale,
        principal,
        unit=compliance.by_unit(session, policies=policies, at=at, unit=found.name)[0],
        rows=compliance.officials_of(session, policies=policies, at=at, unit_id=unit_id),
    )


def csv_cell(column: str, value: object, locale: str) -> object:
    """A cell as the reader's spreadsheet writes it: percentages and counts per locale (Babel).
    A percentage has no space before the sign ("61,1%", CLDR's vi form, which spreadsheets set
    to vi-VN write and read back as a number), unlike the pages' "61,1 %"."""
    if column.endswith("_pct") and (value is None or isinstance(value, int | float)):
        return i18n.format_percent(value, locale).replace("\u00a0", "")
    if isinstance(value, int):
        return i18n.format_number(value, locale)
    return value


@router.get("/export.csv")
def export_csv(
    session: SessionDep, deps: DepsDep, locale: LocaleDep, principal: SecurityDep
) -> Response:
    """The per-unit table for a person with a spreadsheet: headers and numbers in the reader's
    language (vi: "61,1%", see csv_cell). Scripts read the same figures as JSON at
    /api/v1/reports/compliance."""
    report = compliance.report(session, policies=deps.settings.policies, at=report_clock(deps))
    total = report.total.model_copy(update={"unit": i18n.t("console.compliance.total", locale)})
    incidents = _incidents(session, deps, report)
    counts = [incidents.get(u.unit_id, 0) for u in report.units if u.unit_id is not None]
    rows = [
        [*(csv_cell(c, getattr(u, c), locale) for c in CSV_COLUMNS), i18n.format_number(n, locale)]
        for u, n in zip([*report.units, total], [*counts, sum(counts)], strict=True)
    ]
    return csv_download(
        session,
        deps,
        actor=principal.actor,
        name="compliance",
        header=[
            *(i18n.t(f"district_web.csv.{c}", locale) for c in CSV_COLUMNS),
            i18n.t("district_web.incidents.month", locale),
        ],
        rows=rows,
        filters={"as_of": report.as_of.isoformat(), "locale": locale},
    )
