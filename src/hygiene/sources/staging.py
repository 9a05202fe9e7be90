"""Stage one sync's observations in source_entry: batched upserts, then drop what is gone.

Each observation becomes the row keyed (source, match_key) with the current run id; rows of the
source that this run did not touch are deleted by `drop_unseen` once the whole directory was
read. Each batch commits on its own: the directory is read over the network, and on SQLite a
transaction held open for the whole read would hold the write lock (and stop delivery) for as
long. Memory stays one batch whatever the directory's size. Observations without a match key
(e.g. match = "email" and no mail) are counted but not staged.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col

from hygiene.db import session_scope, table
from hygiene.settings import SourceConfig
from hygiene.sources.base import Observation
from hygiene.sources.models import SourceEntry

BATCH = 5000
_UPDATED = (
    "identity",
    "email",
    "changed_at",
    "changed_on",
    "expires_on",
    "never_expires",
    "disabled",
    "mfa",
    "manager",
    "display_name",
    "run_id",
    "seen_at",
)


@dataclass(frozen=True)
class Staged:
    entries: int
    staged: int


def row(
    name: str, config: SourceConfig, found: Observation, zone: ZoneInfo, run_id: int, now: datetime
) -> dict[str, Any] | None:
    key = config.match_key(found.identity, found.email)
    if not key:
        return None
    changed = found.password_changed_at
    return {
        "source": name,
        "match_key": key[:254],
        "identity": found.identity[:254],
        "email": (found.email or "")[:254].lower() or None,
        "changed_at": changed,
        "changed_on": changed.astimezone(zone).date() if changed else None,
        "expires_on": found.expires_at.astimezone(zone).date() if found.expires_at else None,
        "never_expires": found.never_expires,
        "disabled": found.disabled,
        "mfa": found.mfa,
        "manager": (found.manager or "")[:500] or None,
        "display_name": (found.display_name or "")[:200] or None,
        "run_id": run_id,
        "seen_at": now,
    }


def _upsert(engine: Engine, rows: list[dict[str, Any]]) -> None:
    with session_scope(engine) as session:
        _upsert_in(session, rows)


def _upsert_in(session: Session, rows: list[dict[str, Any]]) -> None:
    module: Any = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    # The table, not the entity: a Core executemany, without the ORM's bulk-insert bookkeeping.
    statement = module.insert(table(SourceEntry))
    statement = statement.on_conflict_do_update(
        index_elements=["source", "match_key"],
        set_={name: statement.excluded[name] for name in _UPDATED},
    )
    session.execute(statement, rows)


def stage(
    engine: Engine,
    *,
    name: str,
    staged_as: str,
    config: SourceConfig,
    observations: Iterable[Observation],
    zone: ZoneInfo,
    run_id: int,
    now: datetime,
) -> Staged:
    entries = staged = 0
    batch: dict[str, dict[str, Any]] = {}  # by key: a duplicate identity keeps its last entry
    for found in observations:
        entries += 1
        if (values := row(staged_as, config, found, zone, run_id, now)) is not None:
            batch[values["match_key"]] = values
        if len(batch) >= BATCH:
            staged += len(batch)
            _upsert(engine, list(batch.values()))
            batch = {}
    if batch:
        staged += len(batch)
        _upsert(engine, list(batch.values()))
    return Staged(entries=entries, staged=staged)


def drop_unseen(session: Session, *, staged_as: str, run_id: int) -> None:
    session.execute(
        delete(SourceEntry).where(
            col(SourceEntry.source) == staged_as, col(SourceEntry.run_id) != run_id
        )
    )


def drop_all(session: Session, *, staged_as: str) -> None:
    session.execute(delete(SourceEntry).where(col(SourceEntry.source) == staged_as))
