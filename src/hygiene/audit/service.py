"""Append to, verify and export the compliance log.

Each event's hash is HMAC-SHA256(key, canonical JSON of seq, time, actor, action, subject, data and
the previous hash). Keying the chain with the service's secret (never stored in the database) means
that someone with write access to the database alone cannot forge even an event appended at the
end. Appends are serialised, so two instances never fork the chain: PostgreSQL by a row lock on
the head row (audit_head: the newest seq and hash, one row), SQLite by its BEGIN IMMEDIATE write
lock. An append locks and reads that one row by primary key and writes it back once per call,
whatever the size of the log: append_many() of a batch costs one lock, one multi-row insert and
one update.
"""

import hashlib
import hmac
import json
from collections.abc import Generator, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, text
from sqlmodel import Session, col, select

from hygiene.audit import verifier
from hygiene.audit.models import AuditEvent, AuditHead
from hygiene.audit.verifier import Verification as Verification  # re-exported
from hygiene.db import insert_rows, table

GENESIS = verifier.GENESIS
_PG_LOCK_ID = 0x6879_6769_656E  # "hygien": the audit chain's advisory lock
_BATCH = 5_000
_COLUMNS = ("seq", "at", "actor", "action", "subject", "data", "prev_hash", "hash")


@dataclass(frozen=True)
class NewEvent:
    """`encoded`, when given, is canonical_json(data) built by the caller (a bulk writer that
    knows its data's shape); append_many stores and hashes it instead of encoding `data`."""

    actor: str
    action: str
    subject: str
    data: dict[str, Any]
    encoded: str = ""


def audit_key(secret: bytes) -> bytes:
    return hmac.new(secret, b"hygiene/audit-chain/v1", hashlib.sha256).digest()


# One encoder for every event: json.dumps with options builds a new one per call.
_CANONICAL = json.JSONEncoder(
    ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str
)


def canonical_json(data: dict[str, Any]) -> str:
    return _CANONICAL.encode(data)


def _utc(at: datetime) -> datetime:
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)


def compute_hash(
    key: bytes,
    *,
    seq: int,
    at: datetime,
    actor: str,
    action: str,
    subject: str,
    data: str,
    prev_hash: str,
) -> str:
    # Length-prefixed fields: unambiguous whatever the fields contain, and cheap to build.
    parts = (str(seq), _utc(at).isoformat(timespec="microseconds"), actor, action, subject, data,
             prev_hash)  # fmt: skip
    body = "".join(f"{len(part)}:{part};" for part in parts)
    return hmac.new(key, body.encode("utf-8"), hashlib.sha256).hexdigest()


def head(session: Session) -> tuple[int, str]:
    """(seq, hash) of the newest event, from the head row; (0, GENESIS) for an empty log."""
    row = session.execute(
        select(AuditHead.seq, AuditHead.hash).where(col(AuditHead.id) == 1)
    ).first()
    return (row[0], row[1]) if row else _head_from_events(session)


def _head_from_events(session: Session) -> tuple[int, str]:
    """A log without its head row (emptied tables, or a schema migrated mid-way): read the
    newest event once, by primary key; the next append writes the row."""
    row = session.execute(
        select(AuditEvent.seq, AuditEvent.hash).order_by(col(AuditEvent.seq).desc()).limit(1)
    ).first()
    return (row[0], row[1]) if row else (0, GENESIS)


def _lock_head(session: Session) -> tuple[int, str, bool]:
    """Lock the head row for this transaction: (seq, hash, whether the row exists).

    PostgreSQL: SELECT … FOR UPDATE on the one row, by primary key. With no row yet, the
    transaction-scoped advisory lock serialises the appends that create it. SQLite: the
    transaction already holds the database's write lock (BEGIN IMMEDIATE)."""
    postgres = session.get_bind().dialect.name == "postgresql"
    query = select(AuditHead.seq, AuditHead.hash).where(col(AuditHead.id) == 1)
    row = session.execute(query.with_for_update() if postgres else query).first()
    if row is not None:
        return row[0], row[1], True
    if postgres:
        session.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": _PG_LOCK_ID})
        row = session.execute(query.with_for_update()).first()
        if row is not None:
            return row[0], row[1], True
    seq, digest = _head_from_events(session)
    return seq, digest, False


def _store_head(session: Session, seq: int, digest: str, *, exists: bool) -> None:
    head_table = table(AuditHead)
    if exists:
        session.execute(
            head_table.update().where(head_table.c.id == 1).values(seq=seq, hash=digest)
        )
    else:
        session.execute(head_table.insert().values(id=1, seq=seq, hash=digest))


def append_many(
    session: Session, *, key: bytes, now: datetime, events: Sequence[NewEvent]
) -> list[int]:
    """Append `events` in order, in the caller's transaction; returns their sequence numbers."""
    if not events:
        return []
    seq, prev, exists = _lock_head(session)
    at = _utc(now)
    # compute_hash, unrolled: the time's text and the keyed HMAC state are the same for the
    # whole batch, so each event costs one copy of the state and one update.
    keyed = hmac.new(key, digestmod=hashlib.sha256)
    when = at.isoformat(timespec="microseconds")
    when = f"{len(when)}:{when};"
    first = seq + 1
    rows: list[tuple[Any, ...]] = []
    for event in events:
        seq += 1
        data = event.encoded or canonical_json(event.data)
        number, actor, action, subject = str(seq), event.actor, event.action, event.subject
        mac = keyed.copy()
        mac.update(
            f"{len(number)}:{number};{when}{len(actor)}:{actor};{len(action)}:{action};"
            f"{len(subject)}:{subject};{len(data)}:{data};{len(prev)}:{prev};".encode()
        )
        digest = mac.hexdigest()
        rows.append((seq, at, actor, action, subject, data, prev, digest))
        prev = digest
    for start in range(0, len(rows), _BATCH):
        insert_rows(session, table(AuditEvent), _COLUMNS, rows[start : start + _BATCH])
    _store_head(session, seq, prev, exists=exists)
    return list(range(first, seq + 1))


def append(
    session: Session,
    *,
    key: bytes,
    now: datetime,
    actor: str,
    action: str,
    subject: str,
    data: dict[str, Any] | None = None,
) -> int:
    return append_many(
        session, key=key, now=now, events=[NewEvent(actor, action, subject, data or {})]
    )[0]


def _stream(session: Session, since: datetime | None = None) -> Generator[AuditEvent]:
    query = select(AuditEvent).order_by(col(AuditEvent.seq))
    if since is not None:
        query = query.where(col(AuditEvent.at) >= since)
    with session.execute(query.execution_options(yield_per=_BATCH)) as result:
        yield from result.scalars()


def verify(
    session: Session, *, key: bytes, workers: int | None = None, most: int | None = None
) -> Verification:
    """Walk the whole chain; name the first row whose number, link or hash does not hold.
    Core rows from streaming cursors, in ranges checked in parallel by `workers` processes
    (default: one per CPU for a long chain, at most `most`): see hygiene.audit.verifier."""
    return verifier.verify(session, key=key, workers=workers, most=most)


def count(session: Session) -> int:
    return int(session.execute(select(func.count()).select_from(AuditEvent)).scalar_one())


EXPORT_COLUMNS = ("seq", "at", "actor", "action", "subject", "data", "prev_hash", "hash")


def export_rows(session: Session, *, since: datetime | None = None) -> Iterable[dict[str, Any]]:
    for event in _stream(session, since):
        yield {
            "seq": event.seq,
            "at": _utc(event.at).isoformat(),
            "actor": event.actor,
            "action": event.action,
            "subject": event.subject,
            "data": json.loads(event.data),
            "prev_hash": event.prev_hash,
            "hash": event.hash,
        }
