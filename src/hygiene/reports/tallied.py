"""The account figures and active officials per unit read from the tallies (migration 0018,
hygiene.reports.tally): a row per unit and a sum over its due-day histogram, instead of every
account. Only valid while hygiene.reports.tally.current holds (the report checks)."""

from typing import Any

from sqlalchemy import Select, Subquery, and_, func, select
from sqlmodel import col

from hygiene.campaigns.stages import Clockless
from hygiene.reports.models import TallyAck, TallyDue, TallyUnit

# The columns of hygiene.reports.figures._unit_accounts, in its order.
COUNTS = ("accounts", "overdue", "never_rotated", "mfa", "browser_saved", "officials_browser_saved")


def _in_unit(query: Select[*tuple[Any, ...]], column: Any, unit_id: int | None) -> Subquery:
    return (query if unit_id is None else query.where(column == unit_id)).subquery()


def people(unit_id: int | None) -> Subquery:
    query: Select[*tuple[Any, ...]] = select(
        col(TallyUnit.unit_id).label("key"), col(TallyUnit.officials).label("n")
    )
    return _in_unit(query, col(TallyUnit.unit_id), unit_id)


def overdue(at: Clockless, unit_id: int | None) -> Subquery:
    """Per unit: accounts whose first overdue day is the report's day or earlier."""
    query: Select[*tuple[Any, ...]] = (
        select(col(TallyDue.unit_id).label("key"), func.sum(col(TallyDue.n)).label("n"))
        .where(col(TallyDue.day) <= at.today_number)
        .group_by(col(TallyDue.unit_id))
    )
    return _in_unit(query, col(TallyDue.unit_id), unit_id)


def unit_accounts(at: Clockless, unit_id: int | None) -> Subquery:
    late = overdue(at, unit_id)
    values = {name: getattr(TallyUnit, name) for name in COUNTS if name != "overdue"}
    values["overdue"] = func.coalesce(late.c.n, 0)
    query: Select[*tuple[Any, ...]] = select(
        col(TallyUnit.unit_id).label("key"), *(values[name].label(name) for name in COUNTS)
    ).outerjoin(late, late.c.key == col(TallyUnit.unit_id))
    return _in_unit(query, col(TallyUnit.unit_id), unit_id)


def advisory_acks(at: Clockless, owed: Subquery, unit_id: int | None) -> Subquery:
    """Per unit: pairs acknowledged by the report day's end, for the advisories it owes
    (`owed`: hygiene.reports.figures.applicable)."""
    t = TallyAck
    counted: Select[*tuple[Any, ...]] = select(
        col(t.unit_id).label("unit_id"),
        col(t.advisory_id).label("advisory_id"),
        func.sum(col(t.n)).label("n"),
    ).where(col(t.day) <= at.today_number)
    counted = counted.group_by(col(t.unit_id), col(t.advisory_id))
    given = _in_unit(counted, col(t.unit_id), unit_id)
    same = and_(owed.c.unit_id == given.c.unit_id, owed.c.advisory_id == given.c.advisory_id)
    query: Select[*tuple[Any, ...]] = (
        select(given.c.unit_id.label("key"), func.sum(given.c.n).label("n"))
        .join(owed, same)
        .group_by(given.c.unit_id)
    )
    return query.subquery()
