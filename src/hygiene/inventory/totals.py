"""Totals of the inventory: one page of officials with the total behind it, the accounts count
for paging, and the whole-inventory summary. Queries only; nothing here writes.
"""

from datetime import date, timedelta
from typing import Any

from pydantic import BaseModel
from sqlalchemy import Select, func, or_
from sqlmodel import Session, col, select

from hygiene.inventory import service as inventory
from hygiene.inventory.models import Account, Official, Unit
from hygiene.inventory.service import OfficialPublic
from hygiene.settings import Policy


def count_officials(
    session: Session, *, unit: str | None, search: str | None, include_inactive: bool
) -> int:
    """The total matching inventory.list_officials' filters (for paging)."""
    query = select(func.count()).select_from(Official).join(Unit)
    if unit:
        query = query.where(col(Unit.name) == unit)
    if not include_inactive:
        query = query.where(col(Official.active))
    if search:
        pattern = f"%{search.strip()}%"
        query = query.where(
            or_(
                col(Official.full_name).ilike(pattern),
                col(Official.employee_id).ilike(pattern),
                col(Official.email).ilike(pattern),
            )
        )
    return int(session.execute(query).scalar_one())


def officials_page(
    session: Session,
    *,
    unit: str | None,
    search: str | None,
    include_inactive: bool,
    limit: int,
    offset: int,
) -> tuple[list[OfficialPublic], int]:
    """One page of inventory.list_officials and the total behind it."""
    rows = inventory.list_officials(
        session,
        unit=unit,
        search=search,
        include_inactive=include_inactive,
        limit=limit,
        offset=offset,
    )
    total = count_officials(session, unit=unit, search=search, include_inactive=include_inactive)
    return rows, total


def count_accounts(session: Session, *, employee_id: str | None, kind: str | None) -> int:
    query = select(func.count()).select_from(Account).join(Official)
    if employee_id:
        query = query.where(col(Official.employee_id) == employee_id.strip())
    if kind:
        query = query.where(col(Account.kind) == kind)
    return int(session.execute(query).scalar_one())


class Summary(BaseModel):
    units: int
    officials: int
    accounts: int
    never_rotated: int
    overdue: int
    mfa: int


def summary(session: Session, *, policies: dict[str, Policy], today: date) -> Summary:
    """Counts for the whole inventory: a handful of aggregate queries, one per account kind."""

    def scalar(query: Select[Any]) -> int:
        return int(session.execute(query).scalar_one())

    active = (
        select(Account)
        .join(Official, col(Official.id) == col(Account.official_id))
        .where(Official.active)
    )
    count = select(func.count()).select_from(active.subquery())
    overdue = 0
    for kind, policy in policies.items():
        cutoff = today - timedelta(days=policy.rotation_days)
        late = active.where(Account.kind == kind, col(Account.last_rotated_on) < cutoff)
        overdue += scalar(select(func.count()).select_from(late.subquery()))
    never = active.where(col(Account.last_rotated_on).is_(None))
    mfa = active.where(Account.mfa)
    return Summary(
        units=scalar(select(func.count()).select_from(Unit)),
        officials=scalar(select(func.count()).select_from(Official).where(Official.active)),
        accounts=scalar(count),
        never_rotated=scalar(select(func.count()).select_from(never.subquery())),
        overdue=overdue,
        mfa=scalar(select(func.count()).select_from(mfa.subquery())),
    )
