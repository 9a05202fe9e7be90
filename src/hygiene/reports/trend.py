"""The weekly on-time trend, in one aggregate query.

An estimate: only the latest rotation of an account is stored, so for a past week the accounts
rotated after it (whose state then is unknown) are left out of that week.
"""

from datetime import date, timedelta
from typing import Any

from pydantic import BaseModel
from sqlalchemy import and_, or_, select
from sqlmodel import Session, col

from hygiene.campaigns.sql import day_number, local_day_number
from hygiene.campaigns.stages import EPOCH, Clockless
from hygiene.inventory.models import Account, Official, Unit
from hygiene.reports.sql import count_if, overdue_on, pct
from hygiene.settings import Policy

TREND_WEEKS = 8


class WeekPoint(BaseModel):
    week: str
    ending: date
    accounts: int
    on_time: int
    on_time_pct: float | None


def week_ends(today: date, weeks: int = TREND_WEEKS) -> list[date]:
    """The last day of each of the last `weeks` ISO weeks, the current one ending today."""
    sunday = today + timedelta(days=6 - today.weekday())
    ends = [sunday - timedelta(weeks=k) for k in range(weeks - 1, -1, -1)]
    return [min(end, today) for end in ends]


def trend(
    session: Session, *, policies: dict[str, Policy], at: Clockless, unit: str | None = None
) -> list[WeekPoint]:
    """On-time share at the end of each recent week, in one aggregate query."""
    ends = week_ends(at.today)
    created = local_day_number(col(Account.created_at), at.zone, at.offset_minutes)
    rotated = day_number(col(Account.last_rotated_on))
    columns: list[Any] = []
    for end in ends:
        day = (end - EPOCH).days
        known = and_(created <= day, or_(col(Account.last_rotated_on).is_(None), rotated <= day))
        columns.append(count_if(known))
        columns.append(count_if(and_(known, overdue_on(policies, at, day))))
    query = (
        select(*columns)
        .join(Official, col(Official.id) == col(Account.official_id))
        .where(col(Official.active))
    )
    if unit is not None:
        query = query.join(Unit, col(Unit.id) == col(Official.unit_id)).where(
            col(Unit.name) == unit
        )
    counts = [int(v) for v in session.execute(query).one()]
    points = []
    for i, end in enumerate(ends):
        accounts, on_time = counts[2 * i], counts[2 * i] - counts[2 * i + 1]
        year, week, _ = end.isocalendar()
        points.append(
            WeekPoint(
                week=f"{year:04d}-W{week:02d}",
                ending=end,
                accounts=accounts,
                on_time=on_time,
                on_time_pct=pct(on_time, accounts),
            )
        )
    return points
