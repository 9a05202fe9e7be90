"""Compliance numbers: the ONE query layer behind the dashboard, the REST API and the CLI.

Every figure is a set-based aggregate built in hygiene.reports.figures (grouped by unit or by
official, filtered on the unit asked for), never a Python loop over accounts; the definitions of
"overdue", advisory acknowledgements and browser declarations are in that module and in
hygiene.reports.sql. The weekly trend reads the daily snapshots (hygiene.reports.trend).
"""

from datetime import date, datetime

from pydantic import BaseModel
from sqlalchemy import select
from sqlmodel import Session, col

from hygiene.campaigns.service import clockless
from hygiene.campaigns.stages import Clockless
from hygiene.errors import NotFound
from hygiene.inventory.models import Unit
from hygiene.reports import figures, profiles, snapshot, tally
from hygiene.reports import trend as weekly
from hygiene.reports.sql import pct
from hygiene.settings import Policy, Settings

SOURCES = {
    "advisory_ack": "acknowledgement(what=advisory) / advisory.requires_ack × audience",
    "browser_saved": "account.browser_saved",
    "browser_declared": "acknowledgement(what=browser), this month",
    "probe": "device.last_saved_logins (latest hygiene-probe report per device)",
}


class UnitCompliance(BaseModel):
    unit_id: int | None
    unit: str
    officials: int
    accounts: int
    on_time: int
    overdue: int
    on_time_pct: float | None
    mfa: int
    mfa_pct: float | None
    browser_saved: int
    officials_browser_saved: int
    browser_declared: int
    advisory_expected: int
    advisory_acked: int
    advisory_ack_pct: float | None
    probe_officials: int = 0  # officials whose PCs' latest hygiene-probe report counts saved logins
    probe_saved_logins: int = 0  # the saved logins those reports count
    never_rotated: int = 0


class OfficialCompliance(BaseModel):
    employee_id: str
    full_name: str
    accounts: int
    overdue: int
    mfa: int
    browser_saved: int
    browser_declared: int
    advisory_expected: int
    advisory_acked: int


class ComplianceReport(BaseModel):
    as_of: date
    unit: str | None
    sources: dict[str, str]
    profiles: dict[str, str] = {}  # account kind → policy profile its figures were measured under
    units: list[UnitCompliance]
    total: UnitCompliance
    trend: list[weekly.WeekPoint]
    snapshots_since: date | None = None  # the trend is exact from this day (the first snapshot)


def clock_at(settings: Settings, now: datetime, as_of: date | None = None) -> Clockless:
    """Where "today" is for a report: now, or the local day `as_of` (e.g. a month's end)."""
    base = clockless(settings, now)
    return base if as_of is None else Clockless(as_of, base.zone, base.offset_minutes)


def unit_row(unit_id: int | None, name: str, n: dict[str, int]) -> UnitCompliance:
    """A row from the FIGURES of hygiene.reports.figures (live or from a snapshot)."""
    accounts, overdue, mfa = n["accounts"], n["overdue"], n["mfa"]
    return UnitCompliance(
        unit_id=unit_id,
        unit=name,
        on_time=accounts - overdue,
        on_time_pct=pct(accounts - overdue, accounts),
        mfa_pct=pct(mfa, accounts),
        advisory_ack_pct=pct(n["advisory_acked"], n["advisory_expected"]),
        **n,
    )


def _unit_id(session: Session, unit: str) -> int:
    found = session.execute(select(col(Unit.id)).where(col(Unit.name) == unit)).scalar()
    if found is None:
        raise NotFound("unit.not_found", name=unit)
    return int(found)


def by_unit(
    session: Session, *, policies: dict[str, Policy], at: Clockless, unit: str | None = None
) -> list[UnitCompliance]:
    """One row per unit (all units, or the one named: then only its rows are read), by name;
    from the tallies while they are current (hygiene.reports.tally), else counted live."""
    unit_id = None if unit is None else _unit_id(session, unit)
    tallied = tally.current(session, policies=policies, at=at)
    rows = figures.unit_figures(policies, at, unit_id, tallied).subquery("unit_figures")
    query = (
        select(rows, col(Unit.name))
        .join(Unit, col(Unit.id) == rows.c.unit_id)
        .order_by(col(Unit.name))
    )
    out = []
    for row in session.execute(query).mappings():
        numbers = {name: int(row[name]) for name in figures.FIGURES}
        out.append(unit_row(row["unit_id"], row["name"], numbers))
    return out


def total_of(rows: list[UnitCompliance], name: str = "*") -> UnitCompliance:
    """The sum over units (a loop over units, not accounts)."""
    return unit_row(None, name, {f: sum(getattr(r, f) for r in rows) for f in figures.FIGURES})


def report(
    session: Session, *, policies: dict[str, Policy], at: Clockless, unit: str | None = None
) -> ComplianceReport:
    unit_id = None if unit is None else _unit_id(session, unit)
    rows = by_unit(session, policies=policies, at=at, unit=unit)
    total = total_of(rows)
    return ComplianceReport(
        as_of=at.today,
        unit=unit,
        sources=SOURCES,
        profiles=profiles.by_kind(policies),
        units=rows,
        total=total,
        trend=weekly.trend(
            session, today=at.today, current=(total.accounts, total.overdue), unit_id=unit_id
        ),
        snapshots_since=snapshot.first_day(session),
    )


def officials_of(
    session: Session, *, policies: dict[str, Policy], at: Clockless, unit_id: int
) -> list[OfficialCompliance]:
    """The drill-down: one row per active official of a unit, worst first."""
    names = list(OfficialCompliance.model_fields)
    return [
        OfficialCompliance.model_validate(dict(zip(names, row, strict=True)))
        for row in session.execute(figures.official_figures(policies, at, unit_id))
    ]
