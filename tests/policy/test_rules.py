"""The pure stage rules (the SQL planners mirror them: tests/campaigns/test_stages_sql.py)."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from hygiene.policy.rules import (
    AccountFacts,
    Stage,
    current_event,
    due_date,
    event_offset,
    local_date,
)
from hygiene.settings import Policy

POLICY = Policy(
    rotation_days=90, lead_days=[14, 7, 1], overdue_repeat_days=7, escalate_after_days=30
)
CREATED = date(2026, 1, 1)


def facts(rotated: date | None, compromised: date | None = None) -> AccountFacts:
    return AccountFacts("email", rotated, CREATED, compromised)


def test_it_dues_an_account_rotation_days_after_it_was_rotated() -> None:
    assert due_date(facts(date(2026, 1, 1)), POLICY) == date(2026, 4, 1)


def test_it_dues_a_never_rotated_account_the_day_it_was_inventoried() -> None:
    assert due_date(facts(None), POLICY) == CREATED


def test_it_is_quiet_before_the_first_lead_day() -> None:
    assert event_offset(-15, POLICY) is None


def test_it_stays_on_the_last_lead_day_reached() -> None:
    assert event_offset(-10, POLICY) == (Stage.UPCOMING, -14)


def test_it_is_due_until_the_first_overdue_repeat() -> None:
    assert event_offset(6, POLICY) == (Stage.DUE, 0)


def test_it_repeats_overdue_every_repeat_days() -> None:
    assert event_offset(15, POLICY) == (Stage.OVERDUE, 14)


def test_it_escalates_after_the_limit_and_repeats() -> None:
    assert event_offset(38, POLICY) == (Stage.ESCALATE, 37)


def test_it_asks_to_rotate_now_when_compromised_whatever_the_age() -> None:
    event = current_event(facts(date(2026, 3, 1), date(2026, 3, 2)), POLICY, date(2026, 3, 2))
    assert event is not None
    assert event.stage is Stage.NOW


def test_it_forgets_a_compromise_once_rotated_after_it() -> None:
    event = current_event(facts(date(2026, 3, 3), date(2026, 3, 2)), POLICY, date(2026, 3, 4))
    assert event is None


def test_it_repeats_rotate_now_every_repeat_days() -> None:
    event = current_event(facts(date(2026, 3, 1), date(2026, 3, 2)), POLICY, date(2026, 3, 12))
    assert event is not None
    assert event.on == date(2026, 3, 9)


def test_it_cuts_days_in_the_configured_timezone() -> None:
    at = datetime(2026, 3, 1, 17, 30, tzinfo=UTC)  # 00:30 on 02/03 in Hà Nội
    assert local_date(at, ZoneInfo("Asia/Ho_Chi_Minh")) == date(2026, 3, 2)
