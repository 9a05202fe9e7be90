"""Compliance numbers: the ONE query layer behind the dashboard, the REST API and the CLI.

Every figure is a set-based aggregate (GROUP BY unit or official), never a Python loop over
accounts. "Overdue" mirrors hygiene.policy.rules: an account is due `rotation_days` after its last
rotation (a never-rotated account on the day it entered the inventory), overdue once that day has
passed, and overdue at once while marked compromised and not rotated since.

Advisory acknowledgement: for every advisory that requires one (published by the report day),
each active official of its audience (advisory_unit; no rows = everyone) owes one; the share is
those with an `acknowledgement` (what = advisory) for it. Browser: `browser_saved` counts accounts
still declared saved in a browser; `browser_declared` the officials who declared their browsers
cleaned (acknowledgement what = browser) in the report's month.

The weekly trend is in hygiene.reports.trend.
"""

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import BaseModel
from sqlalchemy import case, func, or_, select, true
from sqlmodel import Session, col

from hygiene.acks.models import Acknowledgement
from hygiene.advisories.audience_models import AdvisoryUnit
from hygiene.advisories.models import Advisory
from hygiene.campaigns.service import clockless
from hygiene.campaigns.stages import Clockless
from hygiene.devices.models import Device
from hygiene.errors import NotFound
from hygiene.inventory.models import Account, Official, Unit
from hygiene.reports import trend as weekly
from hygiene.reports.sql import count_if, overdue_on, pct
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
    units: list[UnitCompliance]
    total: UnitCompliance
    trend: list[weekly.WeekPoint]


def clock_at(settings: Settings, now: datetime, as_of: date | None = None) -> Clockless:
    """Where "today" is for a report: now, or the local day `as_of` (e.g. a month's end)."""
    base = clockless(settings, now)
    return base if as_of is None else Clockless(as_of, base.zone, base.offset_minutes)


def _end_of(at: Clockless) -> datetime:
    return datetime.combine(at.today + timedelta(days=1), time(), tzinfo=ZoneInfo(at.zone))


def _advisory_counts(at: Clockless, group: Any) -> Any:
    """Acknowledgements owed and given: active officials × required advisories of their audience."""
    audience = select(col(AdvisoryUnit.unit_id)).where(
        col(AdvisoryUnit.advisory_id) == col(Advisory.id)
    )
    acked = (
        select(col(Acknowledgement.id))
        .where(
            col(Acknowledgement.what) == "advisory",
            col(Acknowledgement.official_id) == col(Official.id),
            col(Acknowledgement.advisory_id) == col(Advisory.id),
            col(Acknowledgement.at) < _end_of(at),
        )
        .exists()
    )
    return (
        select(group.label("key"), func.count().label("expected"), count_if(acked).label("acked"))
        .select_from(Official)
        .join(Advisory, true())
        .where(
            col(Official.active),
            col(Advisory.requires_ack),
            col(Advisory.published_at) < _end_of(at),
            or_(~audience.exists(), col(Official.unit_id).in_(audience)),
        )
        .group_by(group)
        .subquery()
    )


def _browser_declared(at: Clockless, group: Any) -> Any:
    """Officials who declared their browsers cleaned in the report's month, up to its day."""
    return (
        select(group.label("key"), func.count(func.distinct(Official.id)).label("n"))
        .join(Acknowledgement, col(Acknowledgement.official_id) == col(Official.id))
        .where(
            col(Official.active),
            col(Acknowledgement.what) == "browser",
            col(Acknowledgement.acted_on) >= at.today.replace(day=1),
            col(Acknowledgement.acted_on) <= at.today,
        )
        .group_by(group)
        .subquery()
    )


def _account_counts(policies: dict[str, Policy], at: Clockless, group: Any) -> Any:
    return (
        select(
            group.label("key"),
            func.count().label("accounts"),
            count_if(overdue_on(policies, at, at.today_number)).label("overdue"),
            count_if(col(Account.mfa)).label("mfa"),
            count_if(col(Account.browser_saved)).label("browser_saved"),
            func.count(
                func.distinct(case((col(Account.browser_saved), Account.official_id)))
            ).label("officials_browser_saved"),
        )
        .join(Official, col(Official.id) == col(Account.official_id))
        # A directory-disabled account (hygiene.sources) is not one to rotate.
        .where(col(Official.active), col(Account.inactive_reason).is_(None))
        .group_by(group)
        .subquery()
    )


def _probe_counts() -> Any:
    """Per unit: active officials whose devices' latest probe report counts saved logins."""
    return (
        select(
            col(Official.unit_id).label("key"),
            func.count(func.distinct(col(Official.id))).label("officials"),
            func.sum(col(Device.last_saved_logins)).label("logins"),
        )
        .join(Device, col(Device.official_id) == col(Official.id))
        .where(
            col(Official.active),
            col(Device.revoked_at).is_(None),
            col(Device.last_saved_logins) > 0,
        )
        .group_by(col(Official.unit_id))
        .subquery()
    )


def _unit_row(unit_id: int | None, name: str, n: list[int]) -> UnitCompliance:
    officials, accounts, overdue, mfa, saved, saved_officials, declared, owed, acked, *probe = n
    probe_officials, probe_logins = probe or (0, 0)
    return UnitCompliance(
        unit_id=unit_id,
        unit=name,
        officials=officials,
        accounts=accounts,
        on_time=accounts - overdue,
        overdue=overdue,
        on_time_pct=pct(accounts - overdue, accounts),
        mfa=mfa,
        mfa_pct=pct(mfa, accounts),
        browser_saved=saved,
        officials_browser_saved=saved_officials,
        browser_declared=declared,
        advisory_expected=owed,
        advisory_acked=acked,
        advisory_ack_pct=pct(acked, owed),
        probe_officials=probe_officials,
        probe_saved_logins=probe_logins,
    )


def by_unit(
    session: Session, *, policies: dict[str, Policy], at: Clockless, unit: str | None = None
) -> list[UnitCompliance]:
    """One row per unit (all units, or the one named), in name order."""
    people = (
        select(col(Official.unit_id).label("key"), func.count().label("n"))
        .where(col(Official.active))
        .group_by(col(Official.unit_id))
        .subquery()
    )
    accounts = _account_counts(policies, at, col(Official.unit_id))
    declared = _browser_declared(at, col(Official.unit_id))
    advisories = _advisory_counts(at, col(Official.unit_id))
    probes = _probe_counts()
    z = func.coalesce
    query = (
        select(
            col(Unit.id),
            col(Unit.name),
            z(people.c.n, 0),
            z(accounts.c.accounts, 0),
            z(accounts.c.overdue, 0),
            z(accounts.c.mfa, 0),
            z(accounts.c.browser_saved, 0),
            z(accounts.c.officials_browser_saved, 0),
            z(declared.c.n, 0),
            z(advisories.c.expected, 0),
            z(advisories.c.acked, 0),
            z(probes.c.officials, 0),
            z(probes.c.logins, 0),
        )
        .outerjoin(people, people.c.key == col(Unit.id))
        .outerjoin(accounts, accounts.c.key == col(Unit.id))
        .outerjoin(declared, declared.c.key == col(Unit.id))
        .outerjoin(advisories, advisories.c.key == col(Unit.id))
        .outerjoin(probes, probes.c.key == col(Unit.id))
        .order_by(col(Unit.name))
    )
    if unit is not None:
        query = query.where(col(Unit.name) == unit)
    return [_unit_row(r[0], r[1], [int(v) for v in r[2:]]) for r in session.execute(query)]


def total_of(rows: list[UnitCompliance], name: str = "*") -> UnitCompliance:
    """The sum over units (a loop over units, not accounts)."""
    fields = ("officials", "accounts", "overdue", "mfa", "browser_saved")
    sums = {f: sum(getattr(r, f) for r in rows) for f in fields}
    extra = [sum(r.officials_browser_saved for r in rows), sum(r.browser_declared for r in rows)]
    extra += [sum(r.advisory_expected for r in rows), sum(r.advisory_acked for r in rows)]
    extra += [sum(r.probe_officials for r in rows), sum(r.probe_saved_logins for r in rows)]
    return _unit_row(None, name, [*sums.values(), *extra])


def report(
    session: Session, *, policies: dict[str, Policy], at: Clockless, unit: str | None = None
) -> ComplianceReport:
    rows = by_unit(session, policies=policies, at=at, unit=unit)
    if unit is not None and not rows:
        raise NotFound("unit.not_found", name=unit)
    return ComplianceReport(
        as_of=at.today,
        unit=unit,
        sources=SOURCES,
        units=rows,
        total=total_of(rows),
        trend=weekly.trend(session, policies=policies, at=at, unit=unit),
    )


def officials_of(
    session: Session, *, policies: dict[str, Policy], at: Clockless, unit_id: int
) -> list[OfficialCompliance]:
    """The drill-down: one row per active official of a unit, worst first."""
    accounts = _account_counts(policies, at, col(Account.official_id))
    declared = _browser_declared(at, col(Official.id))
    advisories = _advisory_counts(at, col(Official.id))
    z = func.coalesce
    query = (
        select(
            col(Official.employee_id),
            col(Official.full_name),
            z(accounts.c.accounts, 0),
            z(accounts.c.overdue, 0),
            z(accounts.c.mfa, 0),
            z(accounts.c.browser_saved, 0),
            z(declared.c.n, 0),
            z(advisories.c.expected, 0),
            z(advisories.c.acked, 0),
        )
        .outerjoin(accounts, accounts.c.key == col(Official.id))
        .outerjoin(declared, declared.c.key == col(Official.id))
        .outerjoin(advisories, advisories.c.key == col(Official.id))
        .where(col(Official.unit_id) == unit_id, col(Official.active))
        .order_by(z(accounts.c.overdue, 0).desc(), col(Official.employee_id))
    )
    names = list(OfficialCompliance.model_fields)
    return [
        OfficialCompliance.model_validate(dict(zip(names, row, strict=True)))
        for row in session.execute(query)
    ]
