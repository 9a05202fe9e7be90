"""The compliance figures as SQL: one subquery per source, grouped by unit or by official.

Every piece takes an optional unit: when one unit is asked for, each piece filters on it before
grouping (official.unit_id is indexed, and the accounts are read through ix_account_report, a
covering index), so a unit's figures cost what that unit holds, not what the district holds.

The accounts are first grouped per official (a sequential read of the covering index), then per
unit: one million accounts are read once, with no per-row conversion (see hygiene.reports.sql).

Advisory acknowledgement: for every advisory that requires one (published by the report day),
each active official of its audience (advisory_unit; no rows = everyone) owes one; the share is
those with an `acknowledgement` (what = advisory) for it, counted from advisory_ack (one row
per official and advisory, kept on write by a trigger). Owed per unit = active officials ×
advisories for that unit, so no official × advisory product is built. Browser: `browser_saved`
counts accounts still declared saved in a browser; `browser_declared` the officials who declared
their browsers cleaned (acknowledgement what = browser) in the report's month.
"""

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, Subquery, and_, func, literal, or_, select, true
from sqlmodel import col

from hygiene.acks.models import Acknowledgement
from hygiene.advisories.audience_models import AdvisoryUnit
from hygiene.advisories.models import Advisory
from hygiene.campaigns.stages import Clockless
from hygiene.devices.models import Device
from hygiene.inventory.models import Account, Official, Unit
from hygiene.reports import tallied as tallied_
from hygiene.reports.models import AdvisoryAck
from hygiene.reports.sql import count_if, local_midnight, overdue_on
from hygiene.settings import Policy

# The order of the figures in every row built here (and of the snapshot's columns).
FIGURES = (
    "officials",
    "accounts",
    "overdue",
    "never_rotated",
    "mfa",
    "browser_saved",
    "officials_browser_saved",
    "browser_declared",
    "advisory_expected",
    "advisory_acked",
    "probe_officials",
    "probe_saved_logins",
)


def end_of(at: Clockless) -> datetime:
    return local_midnight(at, at.today + timedelta(days=1))


def _in_unit(query: Select[*tuple[Any, ...]], unit_id: int | None) -> Select[*tuple[Any, ...]]:
    return query if unit_id is None else query.where(col(Official.unit_id) == unit_id)


def _members(unit_id: int) -> Any:
    return select(col(Official.id)).where(col(Official.unit_id) == unit_id)


def per_official(policies: dict[str, Policy], at: Clockless, unit_id: int | None) -> Subquery:
    """Per official (active or not): accounts still in use (not disabled in a directory),
    overdue, never rotated, MFA, saved in a browser."""
    query: Select[*tuple[Any, ...]] = select(
        col(Account.official_id).label("official_id"),
        func.count().label("accounts"),
        count_if(overdue_on(policies, at, at.today_number)).label("overdue"),
        count_if(col(Account.last_rotated_on).is_(None)).label("never_rotated"),
        count_if(col(Account.mfa)).label("mfa"),
        count_if(col(Account.browser_saved)).label("browser_saved"),
    )
    # A directory-disabled account (hygiene.sources) is not one to rotate.
    query = query.where(col(Account.inactive_reason).is_(None)).group_by(col(Account.official_id))
    if unit_id is not None:
        query = query.where(col(Account.official_id).in_(_members(unit_id)))
    return query.subquery("per_official")


def _audience_ok(unit: Any) -> Any:
    audience = select(col(AdvisoryUnit.unit_id)).where(
        col(AdvisoryUnit.advisory_id) == col(Advisory.id)
    )
    return or_(~audience.exists(), unit.in_(audience))


def _required(at: Clockless) -> Any:
    return and_(col(Advisory.requires_ack), col(Advisory.published_at) < end_of(at))


def applicable(at: Clockless, unit_id: int | None) -> Subquery:
    """(unit, advisory) pairs: each active official of the unit owes an acknowledgement."""
    query: Select[*tuple[Any, ...]] = (
        select(col(Unit.id).label("unit_id"), col(Advisory.id).label("advisory_id"))
        .join(Advisory, true())
        .where(_required(at), _audience_ok(col(Unit.id)))
    )
    if unit_id is not None:
        query = query.where(col(Unit.id) == unit_id)
    return query.subquery("applicable")


def advisories_for_units(at: Clockless, unit_id: int | None) -> Subquery:
    """Per unit: the advisories its officials each owe an acknowledgement for."""
    owed = applicable(at, unit_id)
    return (
        select(owed.c.unit_id.label("key"), func.count().label("n"))
        .group_by(owed.c.unit_id)
        .subquery("advisories_owed")
    )


def _ack_pairs(at: Clockless, unit_id: int | None) -> Subquery:
    """The (official, advisory) pairs acknowledged by the report day's end: kept on write
    (advisory_ack, with the first acknowledgement's time), so nothing is made distinct here."""
    pairs: Select[*tuple[Any, ...]] = select(
        col(AdvisoryAck.official_id), col(AdvisoryAck.advisory_id)
    ).where(col(AdvisoryAck.at) < end_of(at))
    if unit_id is not None:
        pairs = pairs.where(col(AdvisoryAck.official_id).in_(_members(unit_id)))
    return pairs.subquery("ack_pairs")


def advisory_acks(at: Clockless, group: Any, unit_id: int | None) -> Subquery:
    """Acknowledgements given (one per official and advisory owed), grouped by `group`.

    Counted per (group, unit, advisory) first, then kept where the advisory is owed by that
    unit: the audience test runs on those few groups, not on every acknowledgement."""
    given = _ack_pairs(at, unit_id)
    counted = _in_unit(
        select(
            group.label("key"),
            col(Official.unit_id).label("unit_id"),
            given.c.advisory_id,
            func.count().label("n"),
        )
        .select_from(given)
        # "+ 0": SQLite then reads the pairs in key order and looks each official up, instead
        # of probing the pairs of every official in unit order (three times the work).
        .join(Official, col(Official.id) == given.c.official_id + 0)
        .where(col(Official.active))
        .group_by(group, col(Official.unit_id), given.c.advisory_id),
        unit_id,
    ).subquery("acks_counted")
    owed = applicable(at, unit_id)
    return (
        select(counted.c.key, func.sum(counted.c.n).label("n"))
        .join(
            owed,
            and_(
                owed.c.unit_id == counted.c.unit_id,
                owed.c.advisory_id == counted.c.advisory_id,
            ),
        )
        .group_by(counted.c.key)
        .subquery("advisory_acked")
    )


def browser_declared(at: Clockless, group: Any, unit_id: int | None) -> Subquery:
    """Officials who declared their browsers cleaned in the report's month, up to its day."""
    declared: Select[*tuple[Any, ...]] = select(col(Acknowledgement.official_id)).where(
        col(Acknowledgement.what) == "browser",
        col(Acknowledgement.acted_on) >= at.today.replace(day=1),
        col(Acknowledgement.acted_on) <= at.today,
    )
    if unit_id is not None:
        declared = declared.where(col(Acknowledgement.official_id).in_(_members(unit_id)))
    who = declared.distinct().subquery("declared")
    query: Select[*tuple[Any, ...]] = (
        select(group.label("key"), func.count().label("n"))
        .select_from(who)
        .join(Official, col(Official.id) == who.c.official_id)
        .where(col(Official.active))
        .group_by(group)
    )
    return _in_unit(query, unit_id).subquery("browser_declared")


def probes(unit_id: int | None) -> Subquery:
    """Per unit: active officials whose devices' latest probe report counts saved logins."""
    devices = (
        select(
            col(Device.official_id).label("official_id"),
            func.sum(col(Device.last_saved_logins)).label("logins"),
        )
        .where(col(Device.revoked_at).is_(None), col(Device.last_saved_logins) > 0)
        .group_by(col(Device.official_id))
        .subquery("saved")
    )
    query: Select[*tuple[Any, ...]] = (
        select(
            col(Official.unit_id).label("key"),
            func.count().label("officials"),
            func.sum(devices.c.logins).label("logins"),
        )
        .select_from(devices)
        .join(Official, col(Official.id) == devices.c.official_id)
        .where(col(Official.active))
        .group_by(col(Official.unit_id))
    )
    return _in_unit(query, unit_id).subquery("probes")


def people(unit_id: int | None) -> Subquery:
    query: Select[*tuple[Any, ...]] = (
        select(col(Official.unit_id).label("key"), func.count().label("n"))
        .where(col(Official.active))
        .group_by(col(Official.unit_id))
    )
    return _in_unit(query, unit_id).subquery("people")


def _unit_accounts(policies: dict[str, Policy], at: Clockless, unit_id: int | None) -> Subquery:
    """Per unit: the per-official account figures summed. Driven from the per-official rows
    (in official id order, so each official is a sequential primary-key look-up)."""
    accounts = per_official(policies, at, unit_id)
    c = accounts.c
    query: Select[*tuple[Any, ...]] = (
        select(
            col(Official.unit_id).label("key"),
            *(func.sum(getattr(c, n)).label(n) for n in FIGURES[1:6]),
            count_if(c.browser_saved > 0).label("officials_browser_saved"),
        )
        .select_from(accounts)
        .join(Official, col(Official.id) == c.official_id)
        .where(col(Official.active))
        .group_by(col(Official.unit_id))
    )
    return _in_unit(query, unit_id).subquery("unit_accounts")


def unit_figures(
    policies: dict[str, Policy], at: Clockless, unit_id: int | None = None, tallied: bool = False
) -> Any:
    """One row per unit (or the one unit): unit id, then the FIGURES, zero when none; the
    officials, account and acknowledgement figures from the tallies if `tallied`."""
    staff = tallied_.people(unit_id) if tallied else people(unit_id)
    accounts = (
        tallied_.unit_accounts(at, unit_id) if tallied else _unit_accounts(policies, at, unit_id)
    )
    declared = browser_declared(at, col(Official.unit_id), unit_id)
    owed = advisories_for_units(at, unit_id)
    acked = (
        tallied_.advisory_acks(at, applicable(at, unit_id), unit_id)
        if tallied
        else advisory_acks(at, col(Official.unit_id), unit_id)
    )
    probe = probes(unit_id)
    z = func.coalesce
    query: Select[*tuple[Any, ...]] = (
        select(
            col(Unit.id).label("unit_id"),
            z(staff.c.n, 0).label("officials"),
            *(z(getattr(accounts.c, n), 0).label(n) for n in FIGURES[1:7]),
            z(declared.c.n, 0).label("browser_declared"),
            (z(staff.c.n, 0) * z(owed.c.n, 0)).label("advisory_expected"),
            z(acked.c.n, 0).label("advisory_acked"),
            z(probe.c.officials, 0).label("probe_officials"),
            z(probe.c.logins, 0).label("probe_saved_logins"),
        )
        .outerjoin(staff, staff.c.key == col(Unit.id))
        .outerjoin(accounts, accounts.c.key == col(Unit.id))
        .outerjoin(declared, declared.c.key == col(Unit.id))
        .outerjoin(owed, owed.c.key == col(Unit.id))
        .outerjoin(acked, acked.c.key == col(Unit.id))
        .outerjoin(probe, probe.c.key == col(Unit.id))
    )
    return query if unit_id is None else query.where(col(Unit.id) == unit_id)


def official_figures(policies: dict[str, Policy], at: Clockless, unit_id: int) -> Any:
    """The drill-down: one row per active official of a unit (see compliance.officials_of)."""
    accounts = per_official(policies, at, unit_id)
    declared = browser_declared(at, col(Official.id), unit_id)
    owed = advisories_for_units(at, unit_id)
    acked = advisory_acks(at, col(Official.id), unit_id)
    z = func.coalesce
    return (
        select(
            col(Official.employee_id),
            col(Official.full_name),
            z(accounts.c.accounts, 0),
            z(accounts.c.overdue, 0),
            z(accounts.c.mfa, 0),
            z(accounts.c.browser_saved, 0),
            z(declared.c.n, 0),
            z(owed.c.n, literal(0)),
            z(acked.c.n, 0),
        )
        .outerjoin(accounts, accounts.c.official_id == col(Official.id))
        .outerjoin(declared, declared.c.key == col(Official.id))
        .outerjoin(owed, owed.c.key == col(Official.unit_id))
        .outerjoin(acked, acked.c.key == col(Official.id))
        .where(col(Official.unit_id) == unit_id, col(Official.active))
        .order_by(z(accounts.c.overdue, 0).desc(), col(Official.employee_id))
    )
