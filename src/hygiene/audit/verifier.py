"""Verify the compliance log at the speed of the disk: Core rows from a streaming cursor.

The chain is read in `seq` order through a server-side cursor (PostgreSQL) or the SQLite cursor,
a batch at a time, as plain tuples: no ORM objects, no datetime objects. The time is read as the
text the hash was computed over (`YYYY-MM-DDTHH:MM:SS.ffffff+00:00`): PostgreSQL formats it with
to_char in UTC, SQLite already stores the UTC digits. Each HMAC-SHA256 starts from the inner and
outer states of the key, computed once, so a row costs two SHA-256 blocks and no key set-up.
The result names the first row whose number, link or hash does not hold, exactly as
hygiene.audit.service.compute_hash defines them (a test compares the two on every row).

Fast path (`verify`): rows come from the DBAPI cursor of the session's connection (a
server-side cursor on PostgreSQL), with no Row objects, and one f-string per row builds the
hashed text (SQLite's own concatenation, and PostgreSQL's, measured slower). It assumes the
stored time's 26-character form and a 64-character previous hash; where a row's text could
differ from compute_hash's, its hash does not match, and that row alone is checked again the
exact way (`walk` over `rows`) before anything is reported: the fast path can only be slower,
never more lenient.
"""

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import String, func, select, type_coerce
from sqlmodel import Session, col

from hygiene.audit.models import AuditEvent

GENESIS = "0" * 64
BATCH = 20_000
_PG_UTC_TEXT = 'YYYY-MM-DD"T"HH24:MI:SS.US"+00:00"'


@dataclass(frozen=True)
class Verification:
    ok: bool
    count: int
    head_hash: str
    first_bad_seq: int | None = None
    reason: str | None = None


def _time_text(session: Session) -> Any:
    if session.get_bind().dialect.name == "postgresql":
        return func.to_char(func.timezone("UTC", col(AuditEvent.at)), _PG_UTC_TEXT)
    return type_coerce(col(AuditEvent.at), String())


def rows(session: Session) -> Iterator[tuple[Any, ...]]:
    """(seq, time text, actor, action, subject, data, prev_hash, hash) in seq order."""
    query = select(
        col(AuditEvent.seq),
        _time_text(session),
        col(AuditEvent.actor),
        col(AuditEvent.action),
        col(AuditEvent.subject),
        col(AuditEvent.data),
        col(AuditEvent.prev_hash),
        col(AuditEvent.hash),
    ).order_by(col(AuditEvent.seq))
    connection = session.connection().execution_options(stream_results=True, yield_per=BATCH)
    with connection.execute(query) as result:
        for part in result.partitions():
            yield from part


def iso_utc(stored: Any) -> str:
    """The hashed form of a stored time: SQLite's 'YYYY-MM-DD HH:MM:SS.ffffff' (UTC digits)."""
    if isinstance(stored, str) and len(stored) == 26 and stored[10] == " ":
        return f"{stored[:10]}T{stored[11:]}+00:00"
    at = stored if isinstance(stored, datetime) else datetime.fromisoformat(str(stored))
    at = at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)
    return at.isoformat(timespec="microseconds")


def _pads(key: bytes) -> tuple[Any, Any]:
    block = hashlib.sha256(key).digest() if len(key) > 64 else key
    block = block.ljust(64, b"\0")
    inner = hashlib.sha256(bytes(b ^ 0x36 for b in block))
    outer = hashlib.sha256(bytes(b ^ 0x5C for b in block))
    return inner, outer


def walk(
    events: Iterable[tuple[Any, ...]], key: bytes, *, start: tuple[int, str] = (0, GENESIS)
) -> Verification:
    """The exact check of `rows`, from the event after `start` = (seq, hash)."""
    inner, outer = _pads(key)
    expected, prev = start[0] + 1, start[1]
    for seq, stored, actor, action, subject, data, prev_hash, digest in events:
        if seq != expected:
            reason = "gap" if seq > expected else "order"
            return Verification(False, expected - 1, prev, min(seq, expected), reason)
        if prev_hash != prev:
            return Verification(False, expected - 1, prev, seq, "link")
        at, number = iso_utc(stored), str(seq)
        body = (
            f"{len(number)}:{number};{len(at)}:{at};{len(actor)}:{actor};{len(action)}:{action};"
            f"{len(subject)}:{subject};{len(data)}:{data};{len(prev_hash)}:{prev_hash};"
        )
        h = inner.copy()
        h.update(body.encode("utf-8"))
        o = outer.copy()
        o.update(h.digest())
        if o.hexdigest() != digest:
            return Verification(False, expected - 1, prev, seq, "hash")
        prev, expected = digest, expected + 1
    return Verification(True, expected - 1, prev)


def _sep(value: str) -> str:
    return f"length({value}) || ':' || {value} || ';'"


_SQL = (
    "SELECT seq, {at}, actor, action, subject, data, prev_hash, hash FROM audit_event ORDER BY seq"
)
# SQLite stores 'YYYY-MM-DD HH:MM:SS.ffffff' (UTC digits); PostgreSQL is asked for the same.
_PG_AT = "to_char(timezone('UTC', at), 'YYYY-MM-DD HH24:MI:SS.US')"


def _exact(session: Session, seq: int, prev: str, key: bytes) -> bool:
    """Row `seq` checked the exact way (Python's text of every field)."""
    query = select(
        col(AuditEvent.seq),
        _time_text(session),
        col(AuditEvent.actor),
        col(AuditEvent.action),
        col(AuditEvent.subject),
        col(AuditEvent.data),
        col(AuditEvent.prev_hash),
        col(AuditEvent.hash),
    ).where(col(AuditEvent.seq) == seq)
    row = session.connection().execute(query).first()
    if row is None:
        return False
    start = (seq - 1, prev)
    return walk([tuple(row)], key, start=start).ok


def verify(session: Session, *, key: bytes) -> Verification:
    """Walk the whole chain; name the first row whose number, link or hash does not hold."""
    connection = session.connection()
    pg = connection.dialect.name == "postgresql"
    raw: Any = connection.connection.dbapi_connection
    inner, outer = _pads(key)
    icopy, ocopy = inner.copy, outer.copy
    expected, prev = 1, GENESIS
    cursor = raw.cursor(name="hygiene_audit_verify") if pg else raw.cursor()
    try:
        cursor.execute(_SQL.format(at=_PG_AT if pg else "at"))
        while part := cursor.fetchmany(BATCH):
            for seq, at, actor, action, subject, data, prev_hash, digest in part:
                if seq != expected:
                    reason = "gap" if seq > expected else "order"
                    return Verification(False, expected - 1, prev, min(seq, expected), reason)
                if prev_hash != prev:
                    return Verification(False, expected - 1, prev, seq, "link")
                number = str(seq)
                h = icopy()
                h.update(
                    f"{len(number)}:{number};32:{at[:10]}T{at[11:]}+00:00;"
                    f"{len(actor)}:{actor};{len(action)}:{action};{len(subject)}:{subject};"
                    f"{len(data)}:{data};64:{prev};".encode()
                )
                o = ocopy()
                o.update(h.digest())
                if o.hexdigest() != digest and not _exact(session, seq, prev, key):
                    return Verification(False, expected - 1, prev, seq, "hash")
                prev, expected = digest, expected + 1
    finally:
        cursor.close()
    return Verification(True, expected - 1, prev)
