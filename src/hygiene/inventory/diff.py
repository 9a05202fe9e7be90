"""Import stage 3, diff: one chunk of valid rows against what is stored, set-based.

A blank cell keeps what is stored, later rows of an official fill the blanks of earlier ones,
and `last_rotated` only moves forward: an old spreadsheet must not undo an official's
acknowledged rotation. A blank kind cell keeps an existing account's kind.
"""

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlmodel import Session, col

from hygiene.inventory.models import Account, Official
from hygiene.inventory.schemas import InventoryRow

OFFICIAL_FIELDS = ("full_name", "unit", "email", "phone", "locale")
_IN_LIST = 500  # ids per IN (…) list
_ALWAYS = frozenset({"full_name", "unit"})  # required: every row gives them

AccountKey = tuple[str, str, str]


@dataclass
class ChunkPlan:
    """What one chunk changes; the write stage applies it."""

    official_creates: list[dict[str, Any]] = field(default_factory=list)
    official_updates: list[tuple[dict[str, Any], dict[str, Any]]] = field(default_factory=list)
    official_ids: dict[str, int] = field(default_factory=dict)  # the stored ones
    account_creates: list[InventoryRow] = field(default_factory=list)
    account_updates: list[tuple[InventoryRow, dict[str, Any], dict[str, Any]]] = field(
        default_factory=list
    )
    heads: dict[str, str] = field(default_factory=dict)  # unit → employee id marked "có"
    not_heads: set[str] = field(default_factory=set)  # employee ids marked "không"
    unchanged: int = 0


def in_lists(items: Sequence[Any]) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), _IN_LIST):
        yield items[start : start + _IN_LIST]


def account_key(employee_id: str, system: str, login: str) -> AccountKey:
    return employee_id, system.casefold(), login.casefold()


def plan_chunk(
    session: Session, rows: Sequence[InventoryRow], unit_names: dict[int, str]
) -> ChunkPlan:
    plan = ChunkPlan()
    merged, defaults = _merge_officials(rows)
    stored = _stored_officials(session, list(merged), unit_names)
    for employee_id, wanted in merged.items():
        before = stored.get(employee_id)
        if before is None:
            plan.official_creates.append(
                {"employee_id": employee_id, **defaults[employee_id], **wanted}
            )
            continue
        plan.official_ids[employee_id] = before["id"]
        changes = {k: v for k, v in wanted.items() if before.get(k) != v}
        if changes:
            plan.official_updates.append((before, changes))
    _plan_accounts(session, rows, plan)
    for row in rows:
        if row.unit_head:
            plan.heads[row.unit] = row.employee_id
        elif row.unit_head is False:
            plan.not_heads.add(row.employee_id)
    return plan


def _merge_officials(
    rows: Iterable[InventoryRow],
) -> tuple[dict[str, dict[str, Any]], dict[str, dict[str, Any]]]:
    merged: dict[str, dict[str, Any]] = {}
    defaults: dict[str, dict[str, Any]] = {}
    for row in rows:  # later rows fill blanks of earlier ones for the same official
        target = merged.get(row.employee_id)
        if target is None:
            defaults[row.employee_id] = {n: getattr(row, n) for n in OFFICIAL_FIELDS}
            target = merged[row.employee_id] = {}
        given = row.model_fields_set
        for name in OFFICIAL_FIELDS:
            if name not in target and (name in given or name in _ALWAYS):
                target[name] = getattr(row, name)
    return merged, defaults


def _stored_officials(
    session: Session, employee_ids: list[str], unit_names: dict[int, str]
) -> dict[str, dict[str, Any]]:
    stored: dict[str, dict[str, Any]] = {}
    names = ("id", "employee_id", "full_name", "email", "unit_id", "phone", "locale")
    columns = [col(getattr(Official, name)) for name in names]
    for ids in in_lists(employee_ids):
        query = select(*columns).where(col(Official.employee_id).in_(ids))
        for oid, employee_id, name, email, unit_id, phone, locale in session.execute(query):
            stored[employee_id] = {
                "id": oid,
                "employee_id": employee_id,
                "full_name": name,
                "email": email,
                "unit": unit_names.get(unit_id),
                "phone": phone,
                "locale": locale,
            }
    return stored


def _plan_accounts(session: Session, rows: Sequence[InventoryRow], plan: ChunkPlan) -> None:
    stored = _stored_accounts(session, plan.official_ids)
    for row in rows:
        before = stored.get(account_key(row.employee_id, row.system, row.login))
        if before is None:
            plan.account_creates.append(row)
            continue
        changes = account_changes(row, before)
        if changes:
            plan.account_updates.append((row, before, changes))
        else:
            plan.unchanged += 1


def _stored_accounts(
    session: Session, official_ids: dict[str, int]
) -> dict[AccountKey, dict[str, Any]]:
    by_id = {oid: e for e, oid in official_ids.items()}
    stored: dict[AccountKey, dict[str, Any]] = {}
    names = ("id", "official_id", "system", "login", "kind", "last_rotated_on", "mfa")
    columns = [col(getattr(Account, name)) for name in names]
    for ids in in_lists(list(by_id)):
        query = select(*columns).where(col(Account.official_id).in_(ids))
        for aid, oid, system, login, kind, rotated, mfa in session.execute(query):
            stored[account_key(by_id[oid], system, login)] = {
                "id": aid,
                "kind": kind,
                "last_rotated_on": rotated,
                "mfa": mfa,
            }
    return stored


def account_changes(row: InventoryRow, before: dict[str, Any]) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    if "kind" in row.model_fields_set and row.kind != before["kind"]:
        changes["kind"] = row.kind
    if "mfa" in row.model_fields_set and row.mfa != before["mfa"]:
        changes["mfa"] = row.mfa
    stored_date: date | None = before["last_rotated_on"]
    if row.last_rotated is not None and (stored_date is None or row.last_rotated > stored_date):
        changes["last_rotated_on"] = row.last_rotated
    return changes
