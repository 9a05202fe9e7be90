"""Inventory use cases: one thing at a time (add, show, deactivate) and set-based queries.

Use cases append an audit event in the caller's transaction; the caller (session_scope) commits.
"""

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy import func, or_
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from hygiene.audit import service as audit
from hygiene.db import row_id
from hygiene.errors import Conflict, NotFound
from hygiene.inventory.models import Account, Official, Unit
from hygiene.inventory.schemas import AccountCreate, OfficialCreate


class UnitPublic(BaseModel):
    id: int
    name: str
    parent: str | None
    officials: int


class AccountPublic(BaseModel):
    id: int
    employee_id: str
    system: str
    kind: str
    login: str
    last_rotated: date | None
    mfa: bool
    browser_saved: bool


class OfficialPublic(BaseModel):
    id: int
    employee_id: str
    full_name: str
    unit: str
    email: str | None
    phone: str | None
    locale: str
    active: bool
    accounts: int


class OfficialDetail(OfficialPublic):
    preferred_channels: str
    has_anti_phishing_phrase: bool
    account_list: list[AccountPublic]


def _unit_by_name(session: Session, name: str) -> Unit:
    unit = session.exec(select(Unit).where(Unit.name == name)).first()
    if unit is None:
        raise NotFound("unit.not_found", name=name)
    return unit


def official_by_employee_id(session: Session, employee_id: str) -> Official:
    query = select(Official).where(Official.employee_id == employee_id.strip())
    official = session.exec(query).first()
    if official is None:
        raise NotFound("official.not_found", employee_id=employee_id)
    return official


def list_units(session: Session) -> list[UnitPublic]:
    parent = aliased(Unit, name="parent")
    counts = (
        select(Official.unit_id, func.count().label("n"))
        .where(Official.active)
        .group_by(col(Official.unit_id))
        .subquery()
    )
    query = (
        select(Unit.id, Unit.name, parent.name, func.coalesce(counts.c.n, 0))
        .outerjoin(parent, col(parent.id) == col(Unit.parent_id))
        .outerjoin(counts, counts.c.unit_id == Unit.id)
        .order_by(Unit.name)
    )
    return [
        UnitPublic(id=i, name=n, parent=p, officials=c) for i, n, p, c in session.execute(query)
    ]


def unit_names(session: Session) -> list[str]:
    """Every unit's name, in order (no counts: the dashboard's unit picker)."""
    return list(session.execute(select(col(Unit.name)).order_by(col(Unit.name))).scalars())


def add_unit(
    session: Session, *, name: str, parent: str | None, key: bytes, now: datetime, actor: str
) -> Unit:
    if session.execute(select(Unit.id).where(Unit.name == name)).first():
        raise Conflict("unit.exists", name=name)
    parent_id = _unit_by_name(session, parent).id if parent else None
    unit = Unit(name=name, parent_id=parent_id, created_at=now)
    session.add(unit)
    session.flush()
    audit.append(
        session,
        key=key,
        now=now,
        actor=actor,
        action="unit.created",
        subject=f"unit:{name}",
        data={"after": {"name": name, "parent": parent}},
    )
    return unit


def _officials_query() -> Any:
    accounts = (
        select(Account.official_id, func.count().label("n"))
        .group_by(col(Account.official_id))
        .subquery()
    )
    return (
        select(Official, Unit.name, func.coalesce(accounts.c.n, 0))
        .join(Unit, col(Unit.id) == col(Official.unit_id))
        .outerjoin(accounts, accounts.c.official_id == Official.id)
    )


def _official_public(official: Official, unit: str, accounts: int) -> OfficialPublic:
    return OfficialPublic(
        id=official.id or 0,
        employee_id=official.employee_id,
        full_name=official.full_name,
        unit=unit,
        email=official.email,
        phone=official.phone,
        locale=official.locale,
        active=official.active,
        accounts=accounts,
    )


def list_officials(
    session: Session,
    *,
    unit: str | None = None,
    search: str | None = None,
    include_inactive: bool = False,
    limit: int | None = None,
    offset: int = 0,
) -> list[OfficialPublic]:
    query = _officials_query().order_by(Official.employee_id)
    if unit:
        query = query.where(Unit.name == unit)
    if not include_inactive:
        query = query.where(Official.active)
    if search:
        pattern = f"%{search.strip()}%"
        query = query.where(
            or_(
                col(Official.full_name).ilike(pattern),
                col(Official.employee_id).ilike(pattern),
                col(Official.email).ilike(pattern),
            )
        )
    query = query.offset(offset)
    if limit is not None:
        query = query.limit(limit)
    return [_official_public(o, u, n) for o, u, n in session.execute(query)]


def show_official(session: Session, *, employee_id: str) -> OfficialDetail:
    official = official_by_employee_id(session, employee_id)
    row = session.execute(_officials_query().where(Official.id == official.id)).one()
    accounts = list_accounts(session, employee_id=official.employee_id)
    return OfficialDetail(
        **_official_public(*row).model_dump(),
        preferred_channels=official.preferred_channels,
        has_anti_phishing_phrase=bool(official.anti_phishing_phrase),
        account_list=accounts,
    )


def add_official(
    session: Session, *, data: OfficialCreate, key: bytes, now: datetime, actor: str
) -> Official:
    existing = session.execute(select(Official.id).where(Official.employee_id == data.employee_id))
    if existing.first():
        raise Conflict("official.exists", employee_id=data.employee_id)
    unit = _unit_by_name(session, data.unit)
    fields = data.model_dump(exclude={"unit"})
    official = Official(
        **fields, unit_id=row_id(unit.id), active=True, created_at=now, updated_at=now
    )
    session.add(official)
    session.flush()
    shown = {k: v for k, v in fields.items() if k != "anti_phishing_phrase"}
    audit.append(
        session,
        key=key,
        now=now,
        actor=actor,
        action="official.created",
        subject=f"official:{data.employee_id}",
        data={"after": {**shown, "unit": unit.name}},
    )
    return official


def deactivate_official(
    session: Session, *, employee_id: str, key: bytes, now: datetime, actor: str
) -> Official:
    official = official_by_employee_id(session, employee_id)
    if not official.active:
        return official
    official.active = False
    official.updated_at = now
    session.add(official)
    audit.append(
        session,
        key=key,
        now=now,
        actor=actor,
        action="official.deactivated",
        subject=f"official:{official.employee_id}",
        data={"before": {"active": True}, "after": {"active": False}},
    )
    return official


def list_accounts(
    session: Session,
    *,
    employee_id: str | None = None,
    kind: str | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> list[AccountPublic]:
    query = (
        select(Account, Official.employee_id)
        .join(Official, col(Official.id) == col(Account.official_id))
        .order_by(Official.employee_id, Account.system, Account.login)
    )
    if employee_id:
        query = query.where(Official.employee_id == employee_id.strip())
    if kind:
        query = query.where(Account.kind == kind)
    query = query.offset(offset)
    if limit is not None:
        query = query.limit(limit)
    return [
        AccountPublic(
            id=a.id or 0,
            employee_id=e,
            system=a.system,
            kind=a.kind,
            login=a.login,
            last_rotated=a.last_rotated_on,
            mfa=a.mfa,
            browser_saved=a.browser_saved,
        )
        for a, e in session.execute(query)
    ]


def add_account(
    session: Session, *, data: AccountCreate, key: bytes, now: datetime, actor: str
) -> Account:
    official = official_by_employee_id(session, data.employee_id)
    clash = select(Account.id).where(
        Account.official_id == official.id,
        Account.system == data.system,
        Account.login == data.login,
    )
    if session.execute(clash).first():
        raise Conflict("account.exists", system=data.system, login=data.login)
    account = Account(
        official_id=official.id or 0,
        system=data.system,
        kind=data.kind,
        login=data.login,
        last_rotated_on=data.last_rotated,
        mfa=data.mfa,
        created_at=now,
        updated_at=now,
    )
    session.add(account)
    session.flush()
    audit.append(
        session,
        key=key,
        now=now,
        actor=actor,
        action="account.created",
        subject=f"account:{official.employee_id}/{data.system}/{data.login}",
        data={"after": {"kind": data.kind, "last_rotated_on": data.last_rotated, "mfa": data.mfa}},
    )
    return account
