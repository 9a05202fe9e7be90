"""Import stage 4, write: apply one chunk's plan with executemany, and say what changed.

Every change becomes an audit event; the caller appends them in the same transaction.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from json.encoder import encode_basestring as _json_text
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col, select

from hygiene.audit.service import NewEvent
from hygiene.db import insert_rows, row_id, table
from hygiene.inventory.diff import ChunkPlan, in_lists
from hygiene.inventory.models import Account, Official, Unit
from hygiene.inventory.schemas import InventoryRow

# Every column with a default is given (insert_rows applies none).
_OFFICIAL_FIELDS = ("employee_id", "full_name", "email", "phone", "locale")
_OFFICIAL_COLUMNS = (*_OFFICIAL_FIELDS, "unit_id", "created_at", "updated_at", "active",
                     "preferred_channels")  # fmt: skip
_ACCOUNT_COLUMNS = ("official_id", "system", "kind", "login", "last_rotated_on", "mfa",
                    "browser_saved", "created_at", "updated_at")  # fmt: skip


@dataclass
class Writer:
    """Writes chunks for one import; keeps the unit names and ids it has seen."""

    session: Session
    now: datetime
    actor: str
    units: dict[str, int] = field(default_factory=dict)
    events: list[NewEvent] = field(default_factory=list)

    def load_units(self) -> dict[int, str]:
        rows = self.session.execute(select(Unit.name, Unit.id)).all()
        self.units = {name: row_id(uid) for name, uid in rows}
        return {uid: name for name, uid in self.units.items()}

    def ensure_units(self, names: Iterable[str]) -> int:
        missing = sorted(set(names) - self.units.keys())
        if missing:
            self.session.execute(
                table(Unit).insert(), [{"name": n, "created_at": self.now} for n in missing]
            )
            query = select(Unit.name, Unit.id).where(col(Unit.name).in_(missing))
            self.units.update((n, row_id(i)) for n, i in self.session.execute(query).all())
            self._log("unit.created", ((f"unit:{n}", {"name": n}) for n in missing))
        return len(missing)

    def _log(self, action: str, items: Iterable[tuple[str, dict[str, Any]]]) -> None:
        self.events.extend(NewEvent(self.actor, action, s, data) for s, data in items)

    def officials(self, plan: ChunkPlan) -> dict[str, int]:
        """Insert and update the chunk's officials; returns every official id it names."""
        rows = [self._official_row(c) for c in plan.official_creates]
        insert_rows(self.session, table(Official), _OFFICIAL_COLUMNS, rows)
        if plan.official_updates:
            self.session.execute(
                update(Official),
                [
                    {"id": b["id"], "updated_at": self.now, **self._columns(ch)}
                    for b, ch in plan.official_updates
                ],
            )
        self._log(
            "official.created",
            ((f"official:{c['employee_id']}", {"after": c}) for c in plan.official_creates),
        )
        self._log(
            "official.updated",
            (
                (f"official:{b['employee_id']}", {"before": {k: b[k] for k in ch}, "after": ch})
                for b, ch in plan.official_updates
            ),
        )
        ids = dict(plan.official_ids)
        new = [c["employee_id"] for c in plan.official_creates]
        for chunk in in_lists(new):
            query = select(Official.employee_id, Official.id)
            query = query.where(col(Official.employee_id).in_(chunk))
            ids.update((e, row_id(i)) for e, i in self.session.execute(query).all())
        return ids

    def _columns(self, changes: dict[str, Any]) -> dict[str, Any]:
        out = {k: v for k, v in changes.items() if k != "unit"}
        if "unit" in changes:
            out["unit_id"] = self.units[changes["unit"]]
        return out

    def _official_row(self, fields: dict[str, Any]) -> tuple[Any, ...]:
        unit_id, now = self.units[fields["unit"]], self.now
        return (
            *(fields[name] for name in _OFFICIAL_FIELDS),
            unit_id,
            now,
            now,
            True,
            "email,sms",
        )

    def accounts(self, plan: ChunkPlan, official_ids: dict[str, int]) -> None:
        rows = [self._account_row(r, official_ids) for r in plan.account_creates]
        insert_rows(self.session, table(Account), _ACCOUNT_COLUMNS, rows)
        if plan.account_updates:
            self.session.execute(
                update(Account),
                [
                    {"id": b["id"], "updated_at": self.now, **ch}
                    for _, b, ch in plan.account_updates
                ],
            )
        self.events.extend(
            NewEvent(self.actor, "account.created", _subject(r), *created(r))
            for r in plan.account_creates
        )
        self._log(
            "account.updated",
            (
                (_subject(r), {"before": {k: b[k] for k in ch}, "after": ch})
                for r, b, ch in plan.account_updates
            ),
        )

    def _account_row(self, row: InventoryRow, official_ids: dict[str, int]) -> tuple[Any, ...]:
        return (
            official_ids[row.employee_id],
            row.system,
            row.kind,
            row.login,
            row.last_rotated,
            row.mfa,
            False,
            self.now,
            self.now,
        )

    def heads(self, plan: ChunkPlan, official_ids: dict[str, int]) -> int:
        """Set the heads marked "có", clear a head marked "không"; returns how many changed."""
        wanted = {self.units[u]: official_ids[e] for u, e in plan.heads.items()}
        clear = [official_ids[e] for e in plan.not_heads if e in official_ids]
        changed: list[tuple[int, str, int | None, int | None]] = []
        for ids in in_lists(list(wanted)):
            query = select(Unit.id, Unit.name, Unit.head_official_id).where(col(Unit.id).in_(ids))
            for uid, name, head in self.session.execute(query):
                if head != wanted[row_id(uid)]:
                    changed.append((row_id(uid), name, head, wanted[row_id(uid)]))
        for ids in in_lists(clear):
            query = select(Unit.id, Unit.name, Unit.head_official_id)
            query = query.where(col(Unit.head_official_id).in_(ids))
            rows = self.session.execute(query)
            changed.extend((row_id(u), n, h, None) for u, n, h in rows if u not in wanted)
        if changed:
            self.session.execute(
                update(Unit), [{"id": u, "head_official_id": new} for u, _, _, new in changed]
            )
        by_id = {oid: e for e, oid in official_ids.items()}
        self._log(
            "unit.head_set",
            (
                (f"unit:{n}", {"before": by_id.get(old or 0, old), "after": by_id.get(new or 0)})
                for _, n, old, new in changed
            ),
        )
        return len(changed)


def created(row: InventoryRow) -> tuple[dict[str, Any], str]:
    """An account.created event's data, and its canonical JSON built by one f-string (keys in
    sorted order; the kind escaped by the function canonical_json's encoder uses; a date is its
    ISO text, as str() gives it): one import writes a million of these."""
    data = {"after": {"kind": row.kind, "last_rotated_on": row.last_rotated, "mfa": row.mfa}}
    rotated = "null" if row.last_rotated is None else f'"{row.last_rotated.isoformat()}"'
    mfa = "true" if row.mfa else "false"
    encoded = (
        f'{{"after":{{"kind":{_json_text(row.kind)},"last_rotated_on":{rotated},"mfa":{mfa}}}}}'
    )
    return data, encoded


def _subject(row: InventoryRow) -> str:
    return f"account:{row.employee_id}/{row.system}/{row.login}"
