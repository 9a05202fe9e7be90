"""SQL pieces shared by the compliance figures and the snapshots.

"Overdue" mirrors hygiene.policy.rules: an account is due `rotation_days` after its last rotation
(a never-rotated account on the day it entered the inventory; a directory's computed expiry wins
over both, see hygiene.sources), overdue once that day has passed,
and overdue at once while marked compromised and not rotated since. The day arithmetic is done in
Python on the report day, so each account is compared with constants (one date per kind, one
instant for "entered before today") instead of converting its columns row by row: that is what
lets one statement read a million accounts in about a second.
"""

from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, case, false, func, or_
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import col

from hygiene.campaigns.sql import day_number, local_day_number
from hygiene.campaigns.stages import EPOCH, Clockless
from hygiene.inventory.models import Account
from hygiene.settings import Policy


def pct(part: int, whole: int) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None


def count_if(condition: Any) -> ColumnElement[int]:
    """count(*) FILTER (WHERE condition): PostgreSQL, and SQLite since 3.30."""
    return func.count().filter(condition)


def local_midnight(at: Clockless, day: date) -> datetime:
    """The UTC instant the local day `day` starts at (the report's zone)."""
    return datetime.combine(day, time(), tzinfo=ZoneInfo(at.zone)).astimezone(UTC)


def overdue_on(policies: dict[str, Policy], at: Clockless, day: int) -> ColumnElement[bool]:
    """True for an account past its due day on local day number `day` (see module docstring).

    Written for the cost per row (a million rows per report): a simple CASE on the kind reads it
    once, and the due test is one COALESCE that stops at the first fact known (a directory's
    expiry, else the last rotation, else the day it entered the inventory). Never NULL.
    """
    on = EPOCH + timedelta(days=day)
    rotated = col(Account.last_rotated_on)
    entered = col(Account.created_at) < local_midnight(at, on)
    expires = col(Account.expires_on)  # a directory's computed expiry wins (hygiene.sources)
    # nist-800-63b-4 kinds have no due date: only a compromise makes them overdue.
    due = {
        kind: func.coalesce(
            expires < on, rotated < on - timedelta(days=p.rotation_days), entered, false()
        )
        for kind, p in policies.items()
        if p.periodic
    }
    hit = local_day_number(col(Account.compromised_at), at.zone, at.offset_minutes)
    compromised = and_(
        col(Account.compromised_at).is_not(None),
        col(Account.compromised_at) < local_midnight(at, on + timedelta(days=1)),
        or_(rotated.is_(None), day_number(rotated) < hit),
    )
    if not due:
        return compromised
    return or_(case(due, value=col(Account.kind), else_=false()), compromised)
