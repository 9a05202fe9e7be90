"""Daily compliance snapshots: equal to the live figures, idempotent per day, read by the trend."""

from datetime import date, datetime, timedelta

from sqlalchemy import func
from sqlmodel import Session, col, select

from hygiene.inventory.models import Account
from hygiene.reports import compliance, figures, snapshot
from hygiene.reports.models import ComplianceSnapshot
from hygiene.settings import Settings
from tests.conftest import NOW
from tests.reports.seed import seed


def _take(session: Session, settings: Settings, now: datetime = NOW) -> snapshot.Taken:
    at = compliance.clock_at(settings, now)
    taken = snapshot.take(session, policies=settings.policies, at=at, now=now)
    session.commit()
    return taken


def _stored(session: Session, day: date) -> dict[int, dict[str, int]]:
    rows = session.exec(select(ComplianceSnapshot).where(ComplianceSnapshot.day == day)).all()
    return {r.unit_id: {n: getattr(r, n) for n in figures.FIGURES} for r in rows}


def _live(session: Session, settings: Settings) -> dict[int, dict[str, int]]:
    at = compliance.clock_at(settings, NOW)
    rows = compliance.by_unit(session, policies=settings.policies, at=at)
    return {r.unit_id or 0: {n: getattr(r, n) for n in figures.FIGURES} for r in rows}


def test_its_figures_equal_the_live_querys(session: Session, settings: Settings) -> None:
    seed(session)

    _take(session, settings)

    live = _live(session, settings)
    assert _stored(session, NOW.date()) == live
    assert sum(u["accounts"] for u in live.values()) == 3  # the fixture is not empty


def test_taking_it_twice_the_same_day_keeps_one_row_per_unit(
    session: Session, settings: Settings
) -> None:
    seed(session)
    _take(session, settings)
    first = _stored(session, NOW.date())

    taken = _take(session, settings, NOW + timedelta(hours=5))

    count = session.exec(select(func.count()).select_from(ComplianceSnapshot)).one()
    assert (count, taken.units) == (3, 3)
    assert _stored(session, NOW.date()) == first


def test_a_later_run_the_same_day_replaces_the_figures(
    session: Session, settings: Settings
) -> None:
    seed(session)
    _take(session, settings)
    late = session.exec(select(Account).where(col(Account.kind) == "government")).one()
    late.last_rotated_on = NOW.date()
    session.commit()

    _take(session, settings, NOW + timedelta(hours=5))

    assert sum(u["overdue"] for u in _stored(session, NOW.date()).values()) == 1
    assert _stored(session, NOW.date()) == _live(session, settings)


def test_the_latest_totals_sum_the_newest_day(session: Session, settings: Settings) -> None:
    seed(session)
    _take(session, settings, NOW - timedelta(days=3))
    _take(session, settings)

    totals = snapshot.latest(session)

    assert totals is not None
    assert (totals.day, totals.taken_at) == (NOW.date(), NOW)
    assert (totals.figures["officials"], totals.figures["accounts"]) == (2, 3)


def test_there_are_no_totals_before_the_first_snapshot(session: Session) -> None:
    assert snapshot.latest(session) is None


def test_the_trend_shows_past_weeks_from_snapshots_only(
    session: Session, settings: Settings
) -> None:
    seed(session)
    _take(session, settings, NOW - timedelta(days=8))  # Sunday 22/02, the end of week 8
    at = compliance.clock_at(settings, NOW)

    report = compliance.report(session, policies=settings.policies, at=at)

    points = {p.week: p for p in report.trend}
    assert report.snapshots_since == date(2026, 2, 22)
    assert points["2026-W08"].day == date(2026, 2, 22)
    assert points["2026-W08"].accounts == 3
    assert points["2026-W07"].day is None
    assert points["2026-W07"].on_time_pct is None
    assert points["2026-W10"].day == NOW.date()
