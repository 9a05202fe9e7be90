"""Due dates and reminder stages: pure functions of (account facts, policy, today).

An account's reminder *events* fall on fixed days relative to its due date ``d``:

    upcoming   d - L for each lead day L (e.g. 14, 7, 1)
    due        d
    overdue    d + k·R for k ≥ 1 while k·R < M        (R = overdue_repeat_days)
    escalate   d + M + k·R for k ≥ 0                    (M = escalate_after_days)
    now        c + k·R for k ≥ 0, c = the day it was marked compromised, until it is rotated

The *current* event is the latest one on or before ``today``. Planners remember the last event
they reminded an official about, so a missed day (an outage, a Sunday) is caught up by the next
run with the latest stage only: stale stages merge instead of piling up.

A never-rotated account is due on the day it entered the inventory. Where a directory computes
the password's expiry (hygiene.sources), that day is the due date, whatever the kind's policy.
A compromised account is in stage ``now`` until it is rotated on or after the day of the
compromise, whatever its age.
The SQL in hygiene.campaigns.stages mirrors these rules; tests compare the two.

Profiles (``Policy.profile``, per kind): under ``directive`` all of the above applies. Under
``nist-800-63b-4`` (NIST SP 800-63B-4 §3.1.1.2: verifiers SHALL NOT require periodic changes and
SHALL force one on evidence of compromise) an account has no due date and only the ``now`` stage;
its official gets a check-and-attest message every ``attest_every_days`` instead: on the first
planning day, then once that many days have passed since the last one (hygiene.campaigns.attest).
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from hygiene.settings import Policy


class Stage(StrEnum):
    UPCOMING = "upcoming"
    DUE = "due"
    OVERDUE = "overdue"
    ESCALATE = "escalate"
    NOW = "now"

    @property
    def rank(self) -> int:
        return STAGE_RANK[self]


STAGE_RANK = {
    Stage.UPCOMING: 1,
    Stage.DUE: 2,
    Stage.OVERDUE: 3,
    Stage.ESCALATE: 4,
    Stage.NOW: 5,
}
STAGE_BY_RANK = {rank: stage for stage, rank in STAGE_RANK.items()}
_EPOCH = date(1970, 1, 1)

# The template a stage is told with: escalate is still an overdue reminder to the official
# (the unit head gets the separate escalation message).
MESSAGE_KIND = {
    Stage.UPCOMING: "rotation_upcoming",
    Stage.DUE: "rotation_due",
    Stage.OVERDUE: "rotation_overdue",
    Stage.ESCALATE: "rotation_overdue",
    Stage.NOW: "rotation_now",
}


@dataclass(frozen=True)
class AccountFacts:
    kind: str
    last_rotated_on: date | None
    created_on: date
    compromised_on: date | None = None
    expires_on: date | None = None  # computed by a directory: wins over the kind's policy


@dataclass(frozen=True)
class StageEvent:
    stage: Stage
    on: date  # the day this stage began (the latest event on or before today)
    due_on: date


def local_date(at: datetime, zone: ZoneInfo) -> date:
    """The calendar day of an aware instant in the configured timezone."""
    if at.tzinfo is None:
        raise ValueError("local_date needs an aware datetime")
    return at.astimezone(zone).date()


def due_date(facts: AccountFacts, policy: Policy) -> date:
    if facts.expires_on is not None:
        return facts.expires_on
    if facts.last_rotated_on is None:
        return facts.created_on
    return facts.last_rotated_on + timedelta(days=policy.rotation_days)


def is_compromised(facts: AccountFacts, today: date) -> bool:
    if facts.compromised_on is None or facts.compromised_on > today:
        return False
    return facts.last_rotated_on is None or facts.last_rotated_on < facts.compromised_on


def event_offset(days_after_due: int, policy: Policy) -> tuple[Stage, int] | None:
    """The latest event at or before `days_after_due` days past the due date, as (stage, offset)."""
    o, repeat, limit = days_after_due, policy.overdue_repeat_days, policy.escalate_after_days
    if o >= limit:
        return Stage.ESCALATE, limit + ((o - limit) // repeat) * repeat
    if o >= repeat:
        return Stage.OVERDUE, (o // repeat) * repeat
    if o >= 0:
        return Stage.DUE, 0
    for lead in sorted(policy.lead_days):
        if o >= -lead:
            return Stage.UPCOMING, -lead
    return None


def current_event(facts: AccountFacts, policy: Policy, today: date) -> StageEvent | None:
    """The stage the account is in on `today`, and the day that stage began; None if quiet."""
    due = due_date(facts, policy)
    if is_compromised(facts, today) and facts.compromised_on is not None:
        elapsed = (today - facts.compromised_on).days
        began = facts.compromised_on + timedelta(
            days=(elapsed // policy.overdue_repeat_days) * policy.overdue_repeat_days
        )
        return StageEvent(Stage.NOW, began, due)
    if not policy.periodic:
        return None
    found = event_offset((today - due).days, policy)
    if found is None:
        return None
    stage, offset = found
    return StageEvent(stage, due + timedelta(days=offset), due)


def event_mark(event: StageEvent) -> int:
    """A number that grows with the event's day, then its severity (what planners compare)."""
    return (event.on - _EPOCH).days * 10 + event.stage.rank
