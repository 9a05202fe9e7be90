"""Import stage 4, write: apply one chunk's plan with executemany, and say what changed.

Every change becomes an audit event; the caller appends them in the same transaction.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col, select

from hygiene.audit.service import NewEvent
from hygiene.db import row_id, table
from hygiene.inventory.diff import ChunkPlan, in_lists
from hygiene.inventory.models import Account, Official, Unit
from hygiene.inventory.schemas import InventoryRow


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
        if plan.official_creates:
            self.session.execute(
                table(Official).insert(), [self._official_row(c) for c in plan.official_creates]
            )
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

    def _official_row(self, fields: dict[str, Any]) -> dict[str, Any]:
        return {
            **self._columns(fields),
            "created_at": self.now,
            "updated_at": self.now,
            "active": True,
            "preferred_channels": "email,sms",
        }

    def accounts(self, plan: ChunkPlan, official_ids: dict[str, int]) -> None:
        if plan.account_creates:
            self.session.execute(
                table(Account).insert(),
                [self._account_row(r, official_ids) for r in plan.account_creates],
            )
        if plan.account_updates:
            self.session.execute(
                update(Account),
                [
                    {"id": b["id"], "updated_at": self.now, **ch}
                    for _, b, ch in plan.account_updates
                ],
            )
        self._log(
            "account.created",
            (
                (
                    _subject(r),
                    {"after": {"kind": r.kind, "last_rotated_on": r.last_rotated, "mfa": r.mfa}},
                )
                for r in plan.account_creates
            ),
        )
        self._log(
            "account.updated",
            (
                (_subject(r), {"before": {k: b[k] for k in ch}, "after": ch})
                for r, b, ch in plan.account_updates
            ),
        )

    def _account_row(self, row: InventoryRow, official_ids: dict[str, int]) -> dict[str, Any]:
        return {
            "official_id": official_ids[row.employee_id],
            "system": row.system,
            "kind": row.kind,
            "login": row.login,
            "last_rotated_on": row.last_rotated,
            "mfa": row.mfa,
            "browser_saved": False,
            "created_at": self.now,
            "updated_at": self.now,
        }

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


def _subject(row: InventoryRow) -> str:
    return f"account:{row.employee_id}/{row.system}/{row.login}"
