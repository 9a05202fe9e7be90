"""What a staged source changes in the inventory, found and applied set-based.

An inventory account *is* a directory entry when its system is one the source covers and its
login, lower-cased, equals the entry's match key. For those pairs, four kinds of change:

    rotation   the directory's change day is later than last_rotated_on (or the same day, not
               yet credited to this directory): last_rotated_on moves forward, never back
    expiry     the directory's computed expiry differs from the stored one
    mfa        the directory knows MFA, and it differs or was not yet credited to it
    disabled   disabled there and not marked here (or re-enabled there after we marked it)

`pending()` reads the changes (for the audit trail and dry runs); `apply()` issues one
UPDATE … FROM per kind with the same predicates. Both grow with the changes, not row by row.
"""

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, false, func, literal, or_, select, true, update
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col

from hygiene.inventory.models import Account
from hygiene.sources.models import SourceEntry

KINDS = ("rotation", "expiry", "mfa", "disabled", "enabled")


def evidence(name: str) -> str:
    return f"directory:{name}"


def pairing(staged: str, covers: list[str]) -> ColumnElement[bool]:
    """Accounts and the entries staged under `staged` (the source's name; a dry run stages
    under a name of its own)."""
    return and_(
        col(SourceEntry.source) == staged,
        col(SourceEntry.match_key) == func.lower(col(Account.login)),
        col(Account.system).in_(covers),
    )


def predicates(name: str) -> dict[str, ColumnElement[bool]]:
    src = literal(evidence(name))
    credited = func.coalesce(col(Account.rotation_source), "") == src
    return {
        "rotation": and_(
            col(SourceEntry.changed_on).is_not(None),
            or_(
                col(Account.last_rotated_on).is_(None),
                col(SourceEntry.changed_on) > col(Account.last_rotated_on),
                and_(col(SourceEntry.changed_on) == col(Account.last_rotated_on), ~credited),
            ),
        ),
        "expiry": col(SourceEntry.expires_on).is_distinct_from(col(Account.expires_on)),
        "mfa": and_(
            col(SourceEntry.mfa).is_not(None),
            or_(
                col(Account.mfa) != col(SourceEntry.mfa),
                func.coalesce(col(Account.mfa_source), "") != src,
            ),
        ),
        "disabled": and_(
            col(SourceEntry.disabled) == true(), col(Account.inactive_reason).is_(None)
        ),
        "enabled": and_(col(SourceEntry.disabled) == false(), col(Account.inactive_reason) == src),
    }


@dataclass(frozen=True)
class Change:
    kind: str
    account_id: int
    official_id: int
    before: Any
    after: Any
    seen_at: datetime | None = None

    def line(self) -> str:
        return f"{self.account_id}|{self.kind}|{self.before}|{self.after}"


_SHOWN: dict[str, tuple[Any, Any]] = {
    "rotation": (col(Account.last_rotated_on), col(SourceEntry.changed_on)),
    "expiry": (col(Account.expires_on), col(SourceEntry.expires_on)),
    "mfa": (col(Account.mfa), col(SourceEntry.mfa)),
    "disabled": (col(Account.inactive_reason), col(SourceEntry.disabled)),
    "enabled": (col(Account.inactive_reason), col(SourceEntry.disabled)),
}


def pending(session: Session, *, name: str, staged: str, covers: list[str]) -> list[Change]:
    found: list[Change] = []
    for kind, predicate in predicates(name).items():
        before, after = _SHOWN[kind]
        query = (
            select(
                col(Account.id),
                col(Account.official_id),
                before,
                after,
                col(SourceEntry.changed_at),
            )
            .select_from(Account)
            .join(SourceEntry, pairing(staged, covers))
            .where(predicate)
            .order_by(col(Account.id))
        )
        found += [
            Change(kind, r[0], r[1], _plain(r[2]), _plain(r[3]), r[4])
            for r in session.execute(query)
        ]
    return found


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def _values(kind: str, name: str, now: datetime) -> dict[str, Any]:
    src = evidence(name)
    values: dict[str, dict[str, Any]] = {
        "rotation": {
            "last_rotated_on": col(SourceEntry.changed_on),
            "rotation_source": src,
            "rotation_seen_at": col(SourceEntry.changed_at),
        },
        "expiry": {"expires_on": col(SourceEntry.expires_on)},
        "mfa": {"mfa": col(SourceEntry.mfa), "mfa_source": src, "mfa_seen_at": now},
        "disabled": {"inactive_reason": src, "inactive_since": now},
        "enabled": {"inactive_reason": None, "inactive_since": None},
    }
    return values[kind]


def apply(
    session: Session, *, name: str, staged: str, covers: list[str], now: datetime
) -> dict[str, int]:
    """One UPDATE … FROM source_entry per kind; returns the rows each changed."""
    counts: dict[str, int] = {}
    for kind, predicate in predicates(name).items():
        statement = (
            update(Account)
            .where(pairing(staged, covers), predicate)
            .values(**_values(kind, name, now), updated_at=now)
            .execution_options(synchronize_session=False)
        )
        counts[kind] = session.execute(statement).rowcount  # type: ignore[attr-defined]
    return counts
