"""What a staged source changes in the inventory, found and applied set-based.

An inventory account *is* a directory entry when its system is one the source covers and its
login, lower-cased, equals the entry's match key. For those pairs, four kinds of change:

    rotation   the directory's change day is later than last_rotated_on (or the same day, not
               yet credited to this directory): last_rotated_on moves forward, never back
    expiry     the directory's computed expiry differs from the stored one
    mfa        the directory knows MFA, and it differs or was not yet credited to it
    disabled   disabled there and not marked here (or re-enabled there after we marked it)

`pending()` streams the changes (for the audit trail and dry runs) from one query, in batches;
`apply()` issues one UPDATE … FROM with a CASE per column on the same predicates. Both are one
statement whatever the number of changes, and memory holds one batch.
"""

from collections.abc import Iterator
from datetime import date, datetime
from typing import Any, NamedTuple

from sqlalchemy import (
    DateTime,
    String,
    and_,
    case,
    false,
    func,
    literal,
    null,
    or_,
    select,
    text,
    true,
    type_coerce,
    update,
)
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


class Change(NamedTuple):
    """A tuple: a sync reads one per changed account and kind, hundreds of thousands at once."""

    kind: str
    account_id: int
    official_id: int
    before: Any
    after: Any
    seen_at: datetime | None = None

    def line(self) -> str:
        return f"{self.account_id}|{self.kind}|{self.before}|{self.after}"


# Days are read as the database hands them: on SQLite the stored ISO text (what the audit
# records anyway), on PostgreSQL a date that _plain formats; no per-row date parsing.
_COLUMNS: tuple[Any, ...] = (
    col(Account.id),
    col(Account.official_id),
    col(SourceEntry.changed_at),
    type_coerce(col(Account.last_rotated_on), String).label("last_rotated_on"),
    type_coerce(col(SourceEntry.changed_on), String).label("changed_on"),
    type_coerce(col(Account.expires_on), String).label("expires_on"),
    type_coerce(col(SourceEntry.expires_on), String).label("new_expires_on"),
    col(Account.mfa),
    col(SourceEntry.mfa),
    col(Account.inactive_reason),
    col(SourceEntry.disabled),
)
# Positions in _COLUMNS of what each kind shows as before → after.
_SHOWN = {"rotation": (3, 4), "expiry": (5, 6), "mfa": (7, 8), "disabled": (9, 10),
          "enabled": (9, 10)}  # fmt: skip
BATCH = 5000


def pending(
    session: Session, *, name: str, staged: str, covers: list[str], batch: int = BATCH
) -> Iterator[list[Change]]:
    """Every change, in batches of about `batch` accounts, by account id (each account's kinds
    in KINDS order): one query over the pairs, each kind's predicate read as a column, streamed
    from the cursor, so memory holds one batch whatever the directory's size."""
    kinds = predicates(name)
    query = (
        select(*_COLUMNS, *(kinds[kind].label(f"is_{kind}") for kind in KINDS))
        .select_from(Account)
        .join(SourceEntry, pairing(staged, covers))
        .where(or_(*kinds.values()))
        .order_by(col(Account.id))
        .execution_options(yield_per=batch)
    )
    width = len(_COLUMNS)
    shown = [(n, kind, *_SHOWN[kind]) for n, kind in enumerate(KINDS)]
    if session.get_bind().dialect.name == "postgresql":
        # yield_per reads through a server-side cursor, which PostgreSQL plans for its first
        # 10 % of rows (a nested loop over every pair): plan for all of them, as it is read.
        session.execute(text("SET LOCAL cursor_tuple_fraction = 1.0"))
    for rows in session.execute(query).partitions(batch):
        found: list[Change] = []
        for r in rows:
            for n, kind, before, after in shown:
                if r[width + n]:  # NULL is not true, as in WHERE
                    found.append(
                        Change(kind, r[0], r[1], _plain(r[before]), _plain(r[after]), r[2])
                    )
        yield found


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def _values(kind: str, name: str, now: datetime) -> dict[str, Any]:
    src = literal(evidence(name))
    moment = literal(now, DateTime(timezone=True))
    values: dict[str, dict[str, Any]] = {
        "rotation": {
            "last_rotated_on": col(SourceEntry.changed_on),
            "rotation_source": src,
            "rotation_seen_at": col(SourceEntry.changed_at),
        },
        "expiry": {"expires_on": col(SourceEntry.expires_on)},
        "mfa": {"mfa": col(SourceEntry.mfa), "mfa_source": src, "mfa_seen_at": moment},
        "disabled": {"inactive_reason": src, "inactive_since": moment},
        "enabled": {"inactive_reason": null(), "inactive_since": null()},
    }
    return values[kind]


def apply(session: Session, *, name: str, staged: str, covers: list[str], now: datetime) -> int:
    """One UPDATE … FROM source_entry for every kind: each column set by a CASE on its kind's
    predicate (all read the row as it was, as `pending` did), only on rows that change.
    Returns the accounts updated."""
    kinds = predicates(name)
    cases: dict[str, list[tuple[ColumnElement[bool], Any]]] = {}
    for kind, predicate in kinds.items():
        for column, value in _values(kind, name, now).items():
            cases.setdefault(column, []).append((predicate, value))
    assignments = {
        column: case(*whens, else_=getattr(Account, column)) for column, whens in cases.items()
    }
    statement = (
        update(Account)
        .where(pairing(staged, covers), or_(*kinds.values()))
        .values(**assignments, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    return int(session.execute(statement).rowcount)  # type: ignore[attr-defined]
