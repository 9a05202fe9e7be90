"""The tallies' side of the settings: whether tally_due was computed with the rotation policy and
zone a report runs with, and its rebuild when not.

The counts (tally_official, tally_unit) depend on the inventory only and are kept by triggers
(migration 0018). tally_due also depends on the policy (rotation days per periodic kind) and the
zone of the local days, which come from the settings: the triggers read them from tally_policy
and tally_clock, which `sync` rewrites, rebuilding tally_due in one set-based statement, when
they differ from the settings. A report reads the tallies only while `current` holds, and
otherwise counts live, so a policy change never shows figures of the old policy.

The due day is the first local day an account is overdue on (hygiene.reports.sql.overdue_on is
true from that day on and never after it turns false again, for a fixed inventory): the day
after its directory expiry, after its last rotation + the kind's days, or after the day it
entered the inventory; or the day of a compromise it was not rotated after. SQLite shifts by the
zone's offset (as hygiene.campaigns.sql), which is exact for zones without daylight saving.
"""

from typing import Any

from sqlalchemy import and_, case, delete, func, insert, literal, null, or_, select, text
from sqlmodel import Session, col

from hygiene.campaigns.sql import day_number, local_day_number
from hygiene.campaigns.stages import Clockless
from hygiene.inventory.models import Account, Official
from hygiene.reports.models import AdvisoryAck, TallyAck, TallyClock, TallyDue, TallyPolicy
from hygiene.settings import Policy


def wanted(policies: dict[str, Policy]) -> dict[str, int]:
    """The rotation days of each periodic kind (the others have no due date)."""
    return {kind: p.rotation_days for kind, p in policies.items() if p.periodic}


def current(session: Session, *, policies: dict[str, Policy], at: Clockless) -> bool:
    """tally_due holds the due days of `policies` in `at`'s zone."""
    clock = session.execute(
        select(col(TallyClock.zone), col(TallyClock.offset_minutes)).where(col(TallyClock.id) == 1)
    ).first()
    if clock is None or tuple(clock) != (at.zone, at.offset_minutes):
        return False
    stored = session.execute(select(col(TallyPolicy.kind), col(TallyPolicy.rotation_days)))
    return {kind: int(days) for kind, days in stored} == wanted(policies)


def sync(session: Session, *, policies: dict[str, Policy], at: Clockless) -> bool:
    """Make tally_due current (True if it had to be rebuilt); the caller commits."""
    if current(session, policies=policies, at=at):
        return False
    if session.get_bind().dialect.name == "postgresql":
        # No account or official may change between the recount and the commit (its trigger's
        # step would be lost), and two instances starting at once rebuild one after the other.
        session.execute(text("LOCK TABLE tally_policy IN SHARE ROW EXCLUSIVE MODE"))
        session.execute(text("LOCK TABLE account, official IN SHARE MODE"))
        if current(session, policies=policies, at=at):
            return False
    rebuild(session, policies=policies, at=at)
    return True


def due_day(policies: dict[str, Policy], at: Clockless) -> Any:
    """An account's first overdue day number, NULL if none (the triggers' Sql.due, built from
    the policies themselves)."""
    days_of = wanted(policies)
    rotated = col(Account.last_rotated_on)
    hit = local_day_number(col(Account.compromised_at), at.zone, at.offset_minutes)
    periodic: Any = null()
    if days_of:
        days = case(*((col(Account.kind) == k, literal(d)) for k, d in days_of.items()))
        periodic = case(
            (days.is_(None), null()),
            (col(Account.expires_on).is_not(None), day_number(col(Account.expires_on)) + 1),
            (rotated.is_not(None), day_number(rotated) + days + 1),
            else_=local_day_number(col(Account.created_at), at.zone, at.offset_minutes) + 1,
        )
    compromise = case(
        (
            and_(
                col(Account.compromised_at).is_not(None),
                or_(rotated.is_(None), day_number(rotated) < hit),
            ),
            hit,
        ),
        else_=null(),
    )
    return case(
        (periodic.is_(None), compromise),
        (or_(compromise.is_(None), periodic < compromise), periodic),
        else_=compromise,
    )


def rebuild(session: Session, *, policies: dict[str, Policy], at: Clockless) -> None:
    """Store the policy and zone, and recount tally_due from every account and tally_ack from
    every acknowledged pair (set-based)."""
    for model in (TallyDue, TallyAck, TallyPolicy, TallyClock):
        session.execute(delete(model))
    rows = [{"kind": k, "rotation_days": d} for k, d in wanted(policies).items()]
    if rows:
        session.execute(insert(TallyPolicy), rows)
    session.execute(insert(TallyClock).values(id=1, zone=at.zone, offset_minutes=at.offset_minutes))
    accounts = (
        select(col(Official.unit_id).label("unit_id"), due_day(policies, at).label("day"))
        .join(Official, col(Official.id) == col(Account.official_id))
        .where(col(Official.active), col(Account.inactive_reason).is_(None))
        .subquery("due_in")
    )
    counted = (
        select(accounts.c.unit_id, accounts.c.day, func.count())
        .where(accounts.c.day.is_not(None))
        .group_by(accounts.c.unit_id, accounts.c.day)
    )
    session.execute(insert(TallyDue).from_select(["unit_id", "day", "n"], counted))
    _recount_acks(session, at)


def _recount_acks(session: Session, at: Clockless) -> None:
    pairs = (
        select(
            col(Official.unit_id).label("unit_id"),
            col(AdvisoryAck.advisory_id).label("advisory_id"),
            local_day_number(col(AdvisoryAck.at), at.zone, at.offset_minutes).label("day"),
        )
        .join(Official, col(Official.id) == col(AdvisoryAck.official_id))
        .where(col(Official.active))
        .subquery("pairs")
    )
    counted = select(pairs.c.unit_id, pairs.c.advisory_id, pairs.c.day, func.count()).group_by(
        pairs.c.unit_id, pairs.c.advisory_id, pairs.c.day
    )
    columns = ["unit_id", "advisory_id", "day", "n"]
    session.execute(insert(TallyAck).from_select(columns, counted))
