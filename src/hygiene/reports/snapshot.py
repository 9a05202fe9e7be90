"""Daily compliance snapshots: the figures of every unit stored once per local day.

`take` is one INSERT … SELECT … ON CONFLICT (day, unit_id) DO UPDATE over the same query as the
live figures (hygiene.reports.figures), so a snapshot equals the live report of the moment it was
taken, and running it again the same day replaces that day's rows instead of adding to them.
The daily job (hygiene.jobs) and `hygiene report snapshot` call it; the weekly trend, the console
home and /metrics read the stored rows, a few hundred at most.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import DateTime, func, literal, select, true
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col

from hygiene.campaigns.stages import Clockless
from hygiene.clock import as_utc
from hygiene.db import table
from hygiene.inventory.models import Unit
from hygiene.reports import tally
from hygiene.reports.figures import FIGURES, unit_figures
from hygiene.reports.models import ComplianceSnapshot
from hygiene.settings import Policy


@dataclass(frozen=True)
class Taken:
    day: date
    units: int


@dataclass(frozen=True)
class Totals:
    """The sums over units of one day's snapshot."""

    day: date
    taken_at: datetime
    figures: dict[str, int]


def take(session: Session, *, policies: dict[str, Policy], at: Clockless, now: datetime) -> Taken:
    """Store (or replace) the snapshot of day `at.today`, from the tallies (brought in step
    with `policies` first, see hygiene.reports.tally.sync); the caller commits."""
    tally.sync(session, policies=policies, at=at)
    source = unit_figures(policies, at, tallied=True).subquery("figures")
    rows = select(
        literal(at.today).label("day"),
        source.c.unit_id,
        literal(now.astimezone(UTC), DateTime(timezone=True)).label("taken_at"),
        *(getattr(source.c, name) for name in FIGURES),
    ).where(true())  # SQLite: a WHERE keeps "ON CONFLICT" from parsing as a join constraint
    module: Any = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    statement = module.insert(table(ComplianceSnapshot)).from_select(
        ["day", "unit_id", "taken_at", *FIGURES], rows
    )
    statement = statement.on_conflict_do_update(
        index_elements=["day", "unit_id"],
        set_={name: statement.excluded[name] for name in ("taken_at", *FIGURES)},
    )
    stored = session.execute(statement.returning(table(ComplianceSnapshot).c.unit_id)).all()
    return Taken(at.today, len(stored))


def unit_count(session: Session) -> int:
    return int(session.execute(select(func.count()).select_from(Unit)).scalar_one())


def first_day(session: Session) -> date | None:
    day: date | None = session.execute(select(func.min(col(ComplianceSnapshot.day)))).scalar_one()
    return day


def latest(session: Session) -> Totals | None:
    """The sums over units of the most recent snapshot, or None before the first one."""
    newest = select(func.max(col(ComplianceSnapshot.day))).scalar_subquery()
    query = (
        select(
            col(ComplianceSnapshot.day),
            func.max(col(ComplianceSnapshot.taken_at)),
            *(func.sum(getattr(ComplianceSnapshot, name)) for name in FIGURES),
        )
        .where(col(ComplianceSnapshot.day) == newest)
        .group_by(col(ComplianceSnapshot.day))
    )
    row = session.execute(query).first()
    if row is None:
        return None
    return Totals(row[0], as_utc(row[1]), dict(zip(FIGURES, map(int, row[2:]), strict=True)))


def daily(
    session: Session, *, since: date, until: date, unit_id: int | None = None
) -> dict[date, tuple[int, int]]:
    """Day → (accounts, overdue) summed over units (or of one unit), for stored days only."""
    query = (
        select(
            col(ComplianceSnapshot.day),
            func.sum(col(ComplianceSnapshot.accounts)),
            func.sum(col(ComplianceSnapshot.overdue)),
        )
        .where(col(ComplianceSnapshot.day) >= since, col(ComplianceSnapshot.day) <= until)
        .group_by(col(ComplianceSnapshot.day))
    )
    if unit_id is not None:
        query = query.where(col(ComplianceSnapshot.unit_id) == unit_id)
    return {day: (int(n), int(late)) for day, n, late in session.execute(query)}
