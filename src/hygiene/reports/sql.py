"""SQL pieces shared by the compliance aggregates and the weekly trend."""

from typing import Any

from sqlalchemy import Integer, and_, case, func, literal, or_
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import col

from hygiene.campaigns.sql import day_number, local_day_number
from hygiene.campaigns.stages import Clockless
from hygiene.inventory.models import Account
from hygiene.settings import Policy


def pct(part: int, whole: int) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None


def count_if(condition: Any) -> ColumnElement[int]:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def overdue_on(policies: dict[str, Policy], at: Clockless, day: int) -> ColumnElement[bool]:
    """True for an account past its due day on local day number `day` (see module docstring)."""
    days = case(
        *((col(Account.kind) == kind, literal(p.rotation_days)) for kind, p in policies.items()),
        else_=None,
    )
    rotated = day_number(col(Account.last_rotated_on))
    created = local_day_number(col(Account.created_at), at.zone, at.offset_minutes)
    due = case(
        # A directory's computed expiry wins over the kind's policy (hygiene.sources).
        (col(Account.expires_on).is_not(None), day_number(col(Account.expires_on))),
        (col(Account.last_rotated_on).is_(None), created),
        else_=rotated + days,
    )
    hit = local_day_number(col(Account.compromised_at), at.zone, at.offset_minutes)
    compromised = and_(
        col(Account.compromised_at).is_not(None),
        hit <= day,
        or_(col(Account.last_rotated_on).is_(None), rotated < hit),
    )
    return or_(due < literal(day, Integer()), compromised)
