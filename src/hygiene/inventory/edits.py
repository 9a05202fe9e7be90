"""One-at-a-time edits of the inventory, from the console and the API.

Edits validate with the same rules as the importer (hygiene.inventory.schemas), change one row,
and append an audit event with the before/after of the fields that changed; the caller commits.
"""

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ValidationError
from sqlmodel import Session, select

from hygiene import i18n
from hygiene.audit import service as audit
from hygiene.db import row_id
from hygiene.errors import InvalidInput, NotFound
from hygiene.inventory import service as inventory
from hygiene.inventory.models import Account, Official, Unit
from hygiene.inventory.schemas import (
    AccountFields,
    OfficialCreate,
    ValidationContext,
    problems_of,
)
from hygiene.inventory.service import AccountPublic


class FieldRejected(InvalidInput):
    """One bad field of an edit, named in the reader's language."""

    def __init__(self, field: str, code: str, params: dict[str, Any]) -> None:
        super().__init__("official.bad_field", field=field)
        self.field, self.reason_code, self.reason_params = field, code, params

    def render(self, locale: str) -> str:
        reason = i18n.t(self.reason_code, locale, **self.reason_params)
        return i18n.t("official.bad_field", locale, field=self.field, reason=reason)


def rejected(exc: ValidationError) -> FieldRejected:
    """The first problem of a failed validation, as the error an edit raises."""
    first = problems_of(exc)[0]
    return FieldRejected(first["field"], first["code"], first["params"])


def _log(
    session: Session,
    key: bytes,
    now: datetime,
    actor: str,
    action: str,
    subject: str,
    before: dict[str, Any],
    after: dict[str, Any],
) -> None:
    """The compliance-log event of an edit: the changed fields, before and after."""
    data = {"before": {k: before[k] for k in after}, "after": after}
    audit.append(session, key=key, now=now, actor=actor, action=action, subject=subject, data=data)


class OfficialChanges(BaseModel):
    """Fields an admin may change; None keeps the stored value."""

    full_name: str | None = None
    unit: str | None = None
    email: str | None = None
    phone: str | None = None
    locale: str | None = None
    preferred_channels: str | None = None


def update_official(
    session: Session,
    *,
    employee_id: str,
    changes: OfficialChanges,
    context: ValidationContext,
    key: bytes,
    now: datetime,
    actor: str,
) -> Official:
    official = inventory.official_by_employee_id(session, employee_id)
    unit = session.get(Unit, official.unit_id)
    before = {
        "full_name": official.full_name,
        "unit": unit.name if unit else "",
        "email": official.email,
        "phone": official.phone,
        "locale": official.locale,
        "preferred_channels": official.preferred_channels,
    }
    wanted = {**before, **changes.model_dump(exclude_none=True), "employee_id": employee_id}
    try:
        valid = OfficialCreate.model_validate(wanted, context=context)
    except ValidationError as exc:
        raise rejected(exc) from None
    after = valid.model_dump(include=set(before))
    diff = {k: v for k, v in after.items() if v != before[k]}
    if not diff:
        return official
    if "unit" in diff:
        target = session.exec(select(Unit).where(Unit.name == valid.unit)).first()
        if target is None:
            raise NotFound("unit.not_found", name=valid.unit)
        official.unit_id = row_id(target.id)
    for name in diff.keys() - {"unit"}:
        setattr(official, name, after[name])
    official.updated_at = now
    session.add(official)
    _log(session, key, now, actor, "official.updated", f"official:{employee_id}", before, diff)
    return official


class AccountChanges(BaseModel):
    kind: str | None = None
    last_rotated: str | date | None = None
    mfa: bool | None = None
    browser_saved: bool | None = None


def _account_after(
    account: Account, changes: AccountChanges, context: ValidationContext
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The account's fields before and after the changes, validated like an imported row."""
    before: dict[str, Any] = {
        "kind": account.kind,
        "last_rotated": account.last_rotated_on,
        "mfa": account.mfa,
    }
    wanted = {**before, **changes.model_dump(exclude_none=True, exclude={"browser_saved"})}
    try:
        valid = AccountFields.model_validate(
            {**wanted, "system": account.system, "login": account.login}, context=context
        )
    except ValidationError as exc:
        raise rejected(exc) from None
    after: dict[str, Any] = valid.model_dump(include=set(before))
    before["browser_saved"] = account.browser_saved
    after["browser_saved"] = (
        account.browser_saved if changes.browser_saved is None else changes.browser_saved
    )
    return before, after


def update_account(
    session: Session,
    *,
    account_id: int,
    changes: AccountChanges,
    context: ValidationContext,
    key: bytes,
    now: datetime,
    actor: str,
) -> Account:
    account = session.get(Account, account_id)
    if account is None:
        raise NotFound("error.not_found")
    before, after = _account_after(account, changes, context)
    diff = {k: v for k, v in after.items() if v != before[k]}
    if not diff:
        return account
    account.kind, account.mfa = after["kind"], after["mfa"]
    account.last_rotated_on, account.browser_saved = after["last_rotated"], after["browser_saved"]
    account.updated_at = now
    session.add(account)
    owner = session.get(Official, account.official_id)
    subject = f"account:{owner.employee_id if owner else '?'}/{account.system}/{account.login}"
    _log(session, key, now, actor, "account.updated", subject, before, diff)
    return account


def account_public(session: Session, account: Account) -> AccountPublic:
    """The account as the API returns it after an edit."""
    owner = session.get(Official, account.official_id)
    return AccountPublic(
        id=row_id(account.id),
        employee_id=owner.employee_id if owner else "",
        system=account.system,
        kind=account.kind,
        login=account.login,
        last_rotated=account.last_rotated_on,
        mfa=account.mfa,
        browser_saved=account.browser_saved,
    )
