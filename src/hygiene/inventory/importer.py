"""Spreadsheet import: validate every row, then apply all changes in one transaction, or none.

The bulk path loads the existing inventory with a few set-based queries, diffs in memory and
writes with executemany, so 100,000 rows never become 100,000 ORM objects. Re-importing the same
file changes nothing. A blank cell keeps what is stored, and `last_rotated` only moves forward:
an old spreadsheet must not undo an official's acknowledged rotation.
"""

import hashlib
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from sqlalchemy import update
from sqlmodel import Session, col, select

from hygiene.audit import service as audit
from hygiene.db import row_id, table
from hygiene.errors import ImportRejected, InvalidInput, RowProblem
from hygiene.inventory.models import Account, Official, Unit
from hygiene.inventory.schemas import InventoryRow, ValidationContext, problems_of
from hygiene.tabular import Sheet, read_sheet

COLUMNS = (
    "employee_id",
    "full_name",
    "unit",
    "email",
    "phone",
    "locale",
    "system",
    "kind",
    "login",
    "last_rotated",
    "mfa",
)
REQUIRED = ("employee_id", "full_name", "unit", "system", "kind")
VI_HEADERS = {
    "employee_id": "Mã cán bộ",
    "full_name": "Họ và tên",
    "unit": "Đơn vị",
    "email": "Email",
    "phone": "Số điện thoại",
    "locale": "Ngôn ngữ",
    "system": "Hệ thống",
    "kind": "Loại",
    "login": "Tên đăng nhập",
    "last_rotated": "Ngày đổi mật khẩu",
    "mfa": "Xác thực hai lớp",
}
_ALIASES = {
    "employee_id": ["mã cán bộ", "mã cb", "mã nhân viên", "ma can bo"],
    "full_name": ["họ và tên", "họ tên", "ho va ten"],
    "unit": ["đơn vị", "don vi"],
    "email": ["thư điện tử", "e-mail"],
    "phone": ["số điện thoại", "điện thoại", "sđt", "so dien thoai"],
    "locale": ["ngôn ngữ", "ngon ngu"],
    "system": ["hệ thống", "he thong"],
    "kind": ["loại", "loai"],
    "login": ["tên đăng nhập", "ten dang nhap"],
    "last_rotated": ["ngày đổi mật khẩu", "ngay doi mat khau"],
    "mfa": ["xác thực hai lớp", "xac thuc hai lop", "2fa"],
}
# Anything else that smells like a password column is refused, value unseen.
_PASSWORDISH = re.compile(r"pass|pwd|secret|mật\s*khẩu|mat\s*khau|^mk$|bí\s*mật|bi\s*mat")
OFFICIAL_FIELDS = ("full_name", "unit", "email", "phone", "locale")
_CHUNK = 500


def _header_key(name: str) -> str:
    return " ".join(unicodedata.normalize("NFC", name).casefold().replace("_", " ").split())


_HEADER_LOOKUP = {_header_key(col): col for col in COLUMNS} | {
    _header_key(alias): col for col, aliases in _ALIASES.items() for alias in aliases
}


@dataclass
class ImportResult:
    rows: int = 0
    units_created: int = 0
    officials_created: int = 0
    officials_updated: int = 0
    accounts_created: int = 0
    accounts_updated: int = 0
    unchanged: int = 0
    ignored_columns: list[str] = field(default_factory=list)
    dry_run: bool = False

    @property
    def changed(self) -> bool:
        return any(
            (
                self.units_created,
                self.officials_created,
                self.officials_updated,
                self.accounts_created,
                self.accounts_updated,
            )
        )


def map_header(header: list[str]) -> tuple[dict[int, str], list[str], list[RowProblem]]:
    mapping: dict[int, str] = {}
    ignored: list[str] = []
    problems: list[RowProblem] = []
    for index, name in enumerate(header):
        column = _HEADER_LOOKUP.get(_header_key(name))
        if column is None:
            if _PASSWORDISH.search(_header_key(name)):
                problems.append(RowProblem(1, name, "import.password_column"))
            elif name.strip():
                ignored.append(name)
        elif column in mapping.values():
            problems.append(RowProblem(1, name, "import.duplicate_column"))
        else:
            mapping[index] = column
    for column in REQUIRED:
        if column not in mapping.values():
            problems.append(RowProblem(1, column, "import.missing_column"))
    return mapping, ignored, problems


OnRow = Callable[[int, int | None], None]  # (rows read so far, rows in the file if known)


def validate(
    sheet: Sheet, context: ValidationContext, on_row: OnRow | None = None
) -> tuple[list[tuple[int, InventoryRow]], list[str], list[RowProblem]]:
    mapping, ignored, problems = map_header(sheet.header)
    if problems:
        return [], ignored, problems
    rows: list[tuple[int, InventoryRow]] = []
    first_seen: dict[str, tuple[int, InventoryRow]] = {}
    keys: dict[tuple[str, str, str], int] = {}
    for done, (line, cells) in enumerate(sheet.rows, start=1):
        if on_row and done % 500 == 0:
            on_row(done, sheet.total)
        raw = {col: cells[i] for i, col in mapping.items() if i < len(cells)}
        given = {col: v for col, v in raw.items() if not (isinstance(v, str) and not v.strip())}
        try:
            row = InventoryRow.model_validate(given, context=context)
        except ValidationError as exc:
            problems.extend(
                RowProblem(line, p["field"], p["code"], p["params"]) for p in problems_of(exc)
            )
            continue
        problems.extend(_row_consistency(line, row, first_seen, keys))
        rows.append((line, row))
    return rows, ignored, problems


def _row_consistency(
    line: int,
    row: InventoryRow,
    first_seen: dict[str, tuple[int, InventoryRow]],
    keys: dict[tuple[str, str, str], int],
) -> Iterable[RowProblem]:
    key = (row.employee_id, row.system.casefold(), row.login.casefold())
    if key in keys:
        yield RowProblem(line, "login", "import.duplicate_account", {"other": keys[key]})
    keys.setdefault(key, line)
    earlier = first_seen.setdefault(row.employee_id, (line, row))
    if earlier[0] != line:
        for name in OFFICIAL_FIELDS:
            mine, theirs = getattr(row, name), getattr(earlier[1], name)
            if (
                name in row.model_fields_set
                and name in earlier[1].model_fields_set
                and mine != theirs
            ):
                yield RowProblem(line, name, "import.inconsistent", {"other": earlier[0]})


def import_file(
    session: Session,
    path: Path,
    *,
    context: ValidationContext,
    key: bytes,
    now: datetime,
    actor: str,
    dry_run: bool = False,
    on_row: OnRow | None = None,
) -> ImportResult:
    """Import `path` or raise ImportRejected listing every bad cell; the caller commits."""
    sheet = read_sheet(path)
    rows, ignored, problems = validate(sheet, context, on_row)
    problems.extend(_contact_problems(session, rows))
    if problems:
        raise ImportRejected(problems)
    if not rows:
        raise InvalidInput("import.empty", name=path.name)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    result = apply_rows(
        session,
        [r for _, r in rows],
        key=key,
        now=now,
        actor=actor,
        dry_run=dry_run,
        source={"file": path.name, "sha256": digest},
    )
    result.ignored_columns = ignored
    return result


def _contact_problems(session: Session, rows: list[tuple[int, InventoryRow]]) -> list[RowProblem]:
    """A new official needs an email or a phone in at least one of their rows."""
    first_line: dict[str, int] = {}
    reachable: set[str] = set()
    for line, row in rows:
        first_line.setdefault(row.employee_id, line)
        if row.email or row.phone:
            reachable.add(row.employee_id)
    unreachable = [e for e in first_line if e not in reachable]
    known: set[str] = set()
    for chunk in _chunks(unreachable):
        query = select(Official.employee_id).where(col(Official.employee_id).in_(chunk))
        known.update(session.execute(query).scalars())
    return [
        RowProblem(first_line[e], "email", "import.no_contact")
        for e in unreachable
        if e not in known
    ]


def apply_rows(
    session: Session,
    rows: list[InventoryRow],
    *,
    key: bytes,
    now: datetime,
    actor: str,
    dry_run: bool = False,
    source: dict[str, Any] | None = None,
) -> ImportResult:
    result = ImportResult(rows=len(rows), dry_run=dry_run)
    events: list[audit.NewEvent] = []
    unit_ids = _ensure_units(session, {r.unit for r in rows}, now, result, events, actor, dry_run)
    official_ids = _upsert_officials(session, rows, unit_ids, now, result, events, actor, dry_run)
    _upsert_accounts(session, rows, official_ids, now, result, events, actor, dry_run)
    if dry_run:
        return result
    if result.changed:
        summary = {k: v for k, v in vars(result).items() if type(v) is int}
        events.append(
            audit.NewEvent(actor, "import.completed", "inventory", {**(source or {}), **summary})
        )
    audit.append_many(session, key=key, now=now, events=events)
    return result


def _ensure_units(
    session: Session,
    names: set[str],
    now: datetime,
    result: ImportResult,
    events: list[audit.NewEvent],
    actor: str,
    dry_run: bool,
) -> dict[str, int]:
    existing = dict(session.execute(select(Unit.name, Unit.id)).all())
    missing = sorted(names - existing.keys())
    result.units_created = len(missing)
    if missing and not dry_run:
        session.execute(table(Unit).insert(), [{"name": n, "created_at": now} for n in missing])
        existing = dict(session.execute(select(Unit.name, Unit.id)).all())
        events.extend(
            audit.NewEvent(actor, "unit.created", f"unit:{n}", {"name": n}) for n in missing
        )
    return {name: uid for name, uid in existing.items() if uid is not None}


def _chunks(items: list[Any]) -> Iterable[list[Any]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]


def _upsert_officials(
    session: Session,
    rows: list[InventoryRow],
    unit_ids: dict[str, int],
    now: datetime,
    result: ImportResult,
    events: list[audit.NewEvent],
    actor: str,
    dry_run: bool,
) -> dict[str, int]:
    merged: dict[str, dict[str, Any]] = {}
    defaults: dict[str, dict[str, Any]] = {}
    for row in rows:  # later rows fill blanks of earlier ones for the same official
        defaults.setdefault(row.employee_id, {n: getattr(row, n) for n in OFFICIAL_FIELDS})
        target = merged.setdefault(row.employee_id, {})
        for name in OFFICIAL_FIELDS:
            if name in row.model_fields_set or name in {"full_name", "unit"}:
                target.setdefault(name, getattr(row, name))
    stored: dict[str, dict[str, Any]] = {}
    unit_names = {uid: name for name, uid in unit_ids.items()}
    for chunk in _chunks(list(merged)):
        query = select(Official).where(col(Official.employee_id).in_(chunk))
        for o in session.execute(query).scalars():
            stored[o.employee_id] = {
                "id": o.id,
                "employee_id": o.employee_id,
                "full_name": o.full_name,
                "email": o.email,
                "unit": unit_names.get(o.unit_id),
                "phone": o.phone,
                "locale": o.locale,
            }
    creates, updates = [], []
    for employee_id, wanted in merged.items():
        before = stored.get(employee_id)
        if before is None:
            creates.append({"employee_id": employee_id, **defaults[employee_id], **wanted})
            continue
        changes = {k: v for k, v in wanted.items() if before.get(k) != v}
        if changes:
            updates.append((before, changes))
    result.officials_created, result.officials_updated = len(creates), len(updates)
    if dry_run:
        return {e: s["id"] for e, s in stored.items()}
    if creates:
        session.execute(
            table(Official).insert(), [_official_row(c, unit_ids, now) for c in creates]
        )
    if updates:
        session.execute(
            update(Official),
            [
                {
                    "id": before["id"],
                    "updated_at": now,
                    **{
                        ("unit_id" if k == "unit" else k): (unit_ids[v] if k == "unit" else v)
                        for k, v in changes.items()
                    },
                }
                for before, changes in updates
            ],
        )
    events.extend(
        audit.NewEvent(actor, "official.created", f"official:{c['employee_id']}", {"after": c})
        for c in creates
    )
    events.extend(
        audit.NewEvent(
            actor,
            "official.updated",
            f"official:{b['employee_id']}",
            {"before": {k: b[k] for k in ch}, "after": ch},
        )
        for b, ch in updates
    )
    ids = {e: s["id"] for e, s in stored.items()}
    new_ids = [c["employee_id"] for c in creates]
    for chunk in _chunks(new_ids):
        new = select(Official.employee_id, Official.id).where(col(Official.employee_id).in_(chunk))
        ids.update((e, row_id(i)) for e, i in session.execute(new).all())
    return ids


def _official_row(
    fields: dict[str, Any], unit_ids: dict[str, int], now: datetime
) -> dict[str, Any]:
    row = {k: v for k, v in fields.items() if k != "unit"}
    return {
        **row,
        "unit_id": unit_ids[fields["unit"]],
        "created_at": now,
        "updated_at": now,
        "active": True,
        "preferred_channels": "email,sms",
    }


def _upsert_accounts(
    session: Session,
    rows: list[InventoryRow],
    official_ids: dict[str, int],
    now: datetime,
    result: ImportResult,
    events: list[audit.NewEvent],
    actor: str,
    dry_run: bool,
) -> None:
    stored: dict[tuple[str, str, str], dict[str, Any]] = {}
    by_id = {oid: e for e, oid in official_ids.items()}
    for chunk in _chunks(list(by_id)):
        query = select(Account).where(col(Account.official_id).in_(chunk))
        for a in session.execute(query).scalars():
            stored[(by_id[a.official_id], a.system.casefold(), a.login.casefold())] = {
                "id": a.id,
                "kind": a.kind,
                "last_rotated_on": a.last_rotated_on,
                "mfa": a.mfa,
                "system": a.system,
                "login": a.login,
            }
    creates, updates = [], []
    for row in rows:
        key = (row.employee_id, row.system.casefold(), row.login.casefold())
        before = stored.get(key)
        if before is None:
            creates.append(row)
            continue
        changes = _account_changes(row, before)
        if changes:
            updates.append((row, before, changes))
    result.accounts_created, result.accounts_updated = len(creates), len(updates)
    result.unchanged = len(rows) - len(creates) - len(updates)
    if dry_run:
        return
    if creates:
        session.execute(
            table(Account).insert(),
            [
                {
                    "official_id": official_ids[r.employee_id],
                    "system": r.system,
                    "kind": r.kind,
                    "login": r.login,
                    "last_rotated_on": r.last_rotated,
                    "mfa": r.mfa,
                    "browser_saved": False,
                    "created_at": now,
                    "updated_at": now,
                }
                for r in creates
            ],
        )
    if updates:
        session.execute(
            update(Account), [{"id": b["id"], "updated_at": now, **ch} for _, b, ch in updates]
        )
    events.extend(
        audit.NewEvent(
            actor,
            "account.created",
            _account_subject(r),
            {"after": {"kind": r.kind, "last_rotated_on": r.last_rotated, "mfa": r.mfa}},
        )
        for r in creates
    )
    events.extend(
        audit.NewEvent(
            actor,
            "account.updated",
            _account_subject(r),
            {"before": {k: b[k] for k in ch}, "after": ch},
        )
        for r, b, ch in updates
    )


def _account_changes(row: InventoryRow, before: dict[str, Any]) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    if row.kind != before["kind"]:
        changes["kind"] = row.kind
    if "mfa" in row.model_fields_set and row.mfa != before["mfa"]:
        changes["mfa"] = row.mfa
    stored_date: date | None = before["last_rotated_on"]
    if row.last_rotated is not None and (stored_date is None or row.last_rotated > stored_date):
        changes["last_rotated_on"] = row.last_rotated
    return changes


def _account_subject(row: InventoryRow) -> str:
    return f"account:{row.employee_id}/{row.system}/{row.login}"
