"""Verify the compliance log at the speed of the disk: Core rows from streaming cursors, in
ranges walked in parallel.

The chain is read in `seq` order through a server-side cursor (PostgreSQL) or the SQLite cursor,
a batch at a time, as plain tuples: no ORM objects, no datetime objects. The time is read as the
text the hash was computed over (`YYYY-MM-DDTHH:MM:SS.ffffff+00:00`): PostgreSQL formats it with
to_char in UTC, SQLite already stores the UTC digits. Each HMAC-SHA256 starts from the inner and
outer states of the key, computed once, so a row costs two SHA-256 blocks and no key set-up.
The result names the first row whose number, link or hash does not hold, exactly as
hygiene.audit.service.compute_hash defines them (a test compares the two on every row).

Ranges (`verify`): a row's hash depends on its own fields and the previous hash stored in it,
so [first seq, last seq] is cut into one range per worker and each range is walked on its own
(hygiene.audit.ranges): the first here, on the session's connection, the others by worker
processes with their own read-only connections (SQLite file, PostgreSQL server-side cursor),
started first. The parent then joins the ranges in order: the first row of each range must
carry the next number and link to the last row of the range before; the first range whose
join or walk fails names the row, with the count and head a single walk would give. Rows
appended after the last seq was read are not verified (as in one walk's snapshot). A worker
that fails is replaced by a walk here. An in-memory SQLite database is walked here alone.

Fast path: one f-string per row builds the hashed text (SQLite's own concatenation, and
PostgreSQL's, measured slower). It assumes the stored time's 26-character form and a
64-character previous hash; where a row's text could differ from compute_hash's, its hash does
not match, and that row alone is checked again the exact way (`walk` over `rows`) before
anything is reported: the fast path can only be slower, never more lenient.
"""

import itertools
import logging
import os
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import String, func, select, type_coerce
from sqlmodel import Session, col

from hygiene.audit import ranges
from hygiene.audit.models import AuditEvent

GENESIS = ranges.GENESIS
BATCH = ranges.BATCH
PARALLEL_MIN = 100_000  # fewer events: one walk here beats starting workers
log = logging.getLogger(__name__)
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


def walk(
    events: Iterable[tuple[Any, ...]], key: bytes, *, start: tuple[int, str] = (0, GENESIS)
) -> Verification:
    """The exact check of `rows`, from the event after `start` = (seq, hash)."""
    inner, outer = ranges.pads(key)
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


def _split(lo: int, hi: int, workers: int) -> list[tuple[int, int]]:
    """[lo, hi] in `workers` consecutive ranges of (nearly) equal width."""
    width = hi - lo + 1
    cuts = [lo + width * i // workers for i in range(workers + 1)]
    return [(a, b - 1) for a, b in itertools.pairwise(cuts) if b > a]


def _job(raw: Any, kind: str, key: bytes) -> dict[str, Any] | None:
    """What a worker needs to open its own connection to this database (None: it cannot)."""
    cursor = raw.cursor()
    try:
        if kind == "sqlite":
            cursor.execute("PRAGMA database_list")
            path = next((row[2] for row in cursor.fetchall() if row[1] == "main"), "")
            return {"kind": kind, "target": path, "key": key.hex()} if path else None
        cursor.execute("SELECT current_setting('search_path')")
        search_path = cursor.fetchone()[0]
    finally:
        cursor.close()
    from psycopg.conninfo import make_conninfo

    password = raw.info.password
    target = make_conninfo(raw.info.dsn, **({"password": password} if password else {}))
    return {"kind": kind, "target": target, "search_path": search_path, "key": key.hex()}


def _scan_here(raw: Any, kind: str, key: bytes, span: tuple[int, int]) -> ranges.Part:
    pg = kind == "postgresql"
    cursor = raw.cursor(name="hygiene_audit_verify") if pg else raw.cursor()
    try:
        cursor.execute(ranges.SQL[kind], span)
        return ranges.scan(cursor, key, BATCH)
    finally:
        cursor.close()


def _parts(raw: Any, kind: str, key: bytes, spans: list[tuple[int, int]]) -> list[ranges.Part]:
    """Each span's Part: the first scanned here, the others by workers started first (a span
    whose worker failed is scanned here after)."""
    job = _job(raw, kind, key) if len(spans) > 1 else None
    workers = [ranges.start({**job, "lo": lo, "hi": hi}) for lo, hi in spans[1:]] if job else []
    try:
        parts = [_scan_here(raw, kind, key, spans[0] if job else (spans[0][0], spans[-1][1]))]
        for span, worker in zip(spans[1:], workers, strict=True):
            part = ranges.result(worker, timeout=ranges.allowance(span[1] - span[0] + 1))
            if part is None:
                log.warning(
                    "audit verify: the worker for %d-%d failed or hung, scanning here", *span
                )
                part = _scan_here(raw, kind, key, span)
            parts.append(part)
    finally:  # an error here (or in a join) leaves no worker behind
        for worker in workers:
            ranges.stop(worker)
    return parts


def _settle(
    session: Session, key: bytes, parts: list[ranges.Part], spans: list[tuple[int, int]]
) -> Verification:
    """The parts joined in order: the first row that fails, as one walk of the chain names it."""
    raw = session.connection().connection.dbapi_connection
    kind = session.connection().dialect.name
    expected, prev, queue = 1, GENESIS, list(zip(parts, [hi for _, hi in spans], strict=True))
    while queue:
        part, hi = queue.pop(0)
        if part.first is None:
            continue
        seq, prev_hash = part.first
        if seq != expected:
            return Verification(False, expected - 1, prev, min(seq, expected),
                                "gap" if seq > expected else "order")  # fmt: skip
        if prev_hash != prev:
            return Verification(False, expected - 1, prev, seq, "link")
        for suspect, before in part.suspects:
            if not _exact(session, suspect, before, key):
                return Verification(False, suspect - 1, before, suspect, "hash")
        if part.broken is not None:
            count, head, bad, reason = part.broken
            return Verification(False, count, head, bad, reason)
        last, prev = part.last or (seq - 1, prev_hash)  # (seq, hash) of the last row walked
        expected = last + 1
        if part.stopped:
            queue.insert(0, (_scan_here(raw, kind, key, (expected, hi)), hi))
    return Verification(True, expected - 1, prev)


def verify(
    session: Session, *, key: bytes, workers: int | None = None, most: int | None = None
) -> Verification:
    """Walk the whole chain; name the first row whose number, link or hash does not hold.

    With more than one worker (default: one per CPU, at most `most` (the setting
    security.verify_workers), for chains of PARALLEL_MIN events or more), the seq range is cut
    into that many ranges, each scanned by its own process (the first here); the result is the
    same as one walk's."""
    connection = session.connection()
    lo, hi = connection.execute(select(func.min(AuditEvent.seq), func.max(AuditEvent.seq))).one()
    if lo is None:
        return Verification(True, 0, GENESIS)
    if workers is None:
        cpus = min(os.cpu_count() or 1, most or sys.maxsize)
        workers = cpus if hi - lo + 1 >= PARALLEL_MIN else 1
    spans = _split(lo, hi, max(1, min(workers, hi - lo + 1)))
    raw: Any = connection.connection.dbapi_connection
    parts = _parts(raw, connection.dialect.name, key, spans)
    return _settle(session, key, parts, spans)
