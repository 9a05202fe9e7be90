"""The weekly on-time trend, read from the daily snapshots (hygiene.reports.snapshot).

Each past week shows the last snapshot taken in it; the current week shows the live figures.
A week before the first snapshot has no figure (shown as a gap): the inventory keeps only each
account's latest rotation, so a past state cannot be rebuilt. The trend is therefore exact from
the day snapshots begin, and the report names that day.
"""

from datetime import date, timedelta

from pydantic import BaseModel
from sqlmodel import Session

from hygiene.reports import snapshot
from hygiene.reports.sql import pct

TREND_WEEKS = 8


class WeekPoint(BaseModel):
    week: str
    ending: date
    accounts: int
    on_time: int
    on_time_pct: float | None
    day: date | None = None  # the day whose figures the point shows; None = no snapshot


def week_ends(today: date, weeks: int = TREND_WEEKS) -> list[date]:
    """The last day of each of the last `weeks` ISO weeks, the current one ending today."""
    sunday = today + timedelta(days=6 - today.weekday())
    ends = [sunday - timedelta(weeks=k) for k in range(weeks - 1, -1, -1)]
    return [min(end, today) for end in ends]


def _point(end: date, day: date | None, accounts: int, overdue: int) -> WeekPoint:
    year, week, _ = end.isocalendar()
    on_time = accounts - overdue
    return WeekPoint(
        week=f"{year:04d}-W{week:02d}",
        ending=end,
        accounts=accounts,
        on_time=on_time,
        on_time_pct=pct(on_time, accounts) if day is not None else None,
        day=day,
    )


def trend(
    session: Session, *, today: date, current: tuple[int, int], unit_id: int | None = None
) -> list[WeekPoint]:
    """Past weeks from the snapshots; the current week from `current` = (accounts, overdue)."""
    ends = week_ends(today)
    stored = snapshot.daily(
        session, since=ends[0] - timedelta(days=6), until=today, unit_id=unit_id
    )
    points = []
    for end in ends[:-1]:
        days = [d for d in stored if end - timedelta(days=6) <= d <= end]
        day = max(days) if days else None
        accounts, overdue = stored[day] if day is not None else (0, 0)
        points.append(_point(end, day, accounts, overdue))
    points.append(_point(ends[-1], today, *current))
    return points
