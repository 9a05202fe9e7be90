"""Fixed-window rate limits with lockout, kept in the database so every instance agrees.

`hit()` counts one attempt for a key and says whether it is allowed. Past `limit` attempts within
`window`, the key is locked for `lockout`. `clear()` resets a key after a success.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, col, delete

from hygiene import db
from hygiene.clock import as_utc
from hygiene.users.models import Throttle


@dataclass(frozen=True)
class Limit:
    limit: int
    window: timedelta
    lockout: timedelta


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    locked_until: datetime | None = None
    remaining: int = 0


def hit(session: Session, *, key: str, rule: Limit, now: datetime) -> Verdict:
    """Count one attempt for `key` (row-locked on PostgreSQL; SQLite transactions are serial)."""
    db.insert_ignore(session, Throttle, {"key": key, "window_start": now, "count": 0}, ["key"])
    row = session.get(Throttle, key, with_for_update=True, populate_existing=True)
    if row is None:  # deleted between the two statements by a concurrent clear()
        return Verdict(True, None, rule.limit - 1)
    locked = as_utc(row.locked_until) if row.locked_until else None
    if locked is not None and locked > now:
        return Verdict(False, locked)
    start = as_utc(row.window_start)
    if locked is not None or now - start >= rule.window:
        row.window_start, row.count, row.locked_until = now, 0, None
    row.count += 1
    if row.count > rule.limit:
        row.locked_until = now + rule.lockout
        session.add(row)
        session.flush()
        return Verdict(False, row.locked_until)
    session.add(row)
    session.flush()
    return Verdict(True, None, rule.limit - row.count)


def clear(session: Session, *, key: str) -> None:
    session.execute(delete(Throttle).where(col(Throttle.key) == key))


@dataclass(frozen=True)
class Backoff:
    """Increasing delays after failures, per key: `free` failures cost nothing, then the next
    attempt waits `first`, doubling with each failure up to `longest`. A key whose last failure
    is older than `forget` starts over."""

    free: int
    first: timedelta
    longest: timedelta
    forget: timedelta

    def delay(self, failures: int) -> timedelta:
        if failures <= self.free:
            return timedelta(0)
        doubled: timedelta = self.first * 2 ** min(failures - self.free - 1, 30)
        return min(doubled, self.longest)


def wait_until(session: Session, *, key: str, rule: Backoff, now: datetime) -> datetime | None:
    """When `key` may try again, if that is still in the future; else None (it may try now)."""
    row = session.get(Throttle, key)
    if row is None or row.locked_until is None:
        return None
    allowed = as_utc(row.locked_until)
    if now - as_utc(row.window_start) >= rule.forget or allowed <= now:
        return None
    return allowed


def failed(session: Session, *, key: str, rule: Backoff, now: datetime) -> datetime:
    """Count one failure for `key`; returns the time its next attempt is allowed."""
    db.insert_ignore(session, Throttle, {"key": key, "window_start": now, "count": 0}, ["key"])
    row = session.get(Throttle, key, with_for_update=True, populate_existing=True)
    if row is None:  # cleared by a concurrent success
        return now
    if now - as_utc(row.window_start) >= rule.forget:
        row.count = 0
    row.count += 1
    row.window_start = now  # the last failure: forgetting counts from it
    row.locked_until = now + rule.delay(row.count)
    session.add(row)
    session.flush()
    return as_utc(row.locked_until)
