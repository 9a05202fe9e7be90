"""Inventory rows for engine tests, written directly (the import path is tested elsewhere)."""

from datetime import UTC, date, datetime

from sqlmodel import Session

from hygiene.db import row_id
from hygiene.inventory.models import Account, Official, Unit

CREATED = datetime(2026, 1, 1, 3, 0, tzinfo=UTC)


def unit(session: Session, name: str = "Phòng Nội vụ") -> Unit:
    row = Unit(name=name, created_at=CREATED)
    session.add(row)
    session.flush()
    return row


def official(
    session: Session,
    unit_id: int,
    employee_id: str,
    *,
    name: str = "Nguyễn Thị Hương",
    email: str | None = None,
    phone: str | None = None,
    locale: str = "vi",
    channels: str = "email,sms",
    phrase: str | None = "hoa ban trắng",
    active: bool = True,
) -> Official:
    row = Official(
        employee_id=employee_id,
        full_name=name,
        unit_id=unit_id,
        email=email if email is not None else f"{employee_id.lower()}@xa.example",
        phone=phone,
        locale=locale,
        preferred_channels=channels,
        anti_phishing_phrase=phrase,
        active=active,
        created_at=CREATED,
        updated_at=CREATED,
    )
    session.add(row)
    session.flush()
    return row


def account(
    session: Session,
    official_id: int,
    *,
    kind: str = "email",
    system: str = "Email công vụ",
    login: str = "nguyen.huong@xa.example",
    rotated: date | None = None,
    created: datetime = CREATED,
    compromised: datetime | None = None,
    browser_saved: bool = False,
) -> Account:
    row = Account(
        official_id=official_id,
        system=system,
        kind=kind,
        login=login,
        last_rotated_on=rotated,
        browser_saved=browser_saved,
        compromised_at=compromised,
        created_at=created,
        updated_at=created,
    )
    session.add(row)
    session.flush()
    return row


def ident(row: Unit | Official | Account) -> int:
    return row_id(row.id)
