"""The marker a backup carries: when it was taken, the log's head and how many messages were
waiting, written into the copy (SQLite) or into the dumped snapshot (PostgreSQL), so that a
service started on the restored database notices it (restore.notice)."""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import create_engine, func, inspect, select, text, update
from sqlalchemy.pool import NullPool
from sqlmodel import Session, col

from hygiene.audit import checkpoints
from hygiene.db import make_engine, session_scope, table
from hygiene.outbox.models import Message
from hygiene.restore.models import BACKUP, BackupMarker
from hygiene.restore.notice import ADVISORY_KEY, WAITING


@dataclass(frozen=True)
class Mark:
    """What a backup records about itself: when, the log's head, and how many were waiting."""

    taken_at: datetime
    seq: int
    head_hash: str
    waiting: int


def _write_marker(session: Session, now: datetime) -> BackupMarker:
    head = checkpoints.current(session, now=now)
    waiting = session.execute(
        select(func.count()).where(col(Message.status).in_(WAITING))
    ).scalar_one()
    marker = BackupMarker(kind=BACKUP, taken_at=now, audit_seq=head.seq,
                          audit_hash=head.head_hash, waiting=int(waiting))  # fmt: skip
    session.add(marker)
    session.flush()
    return marker


def _mark(marker: BackupMarker) -> Mark:
    return Mark(marker.taken_at, marker.audit_seq, marker.audit_hash, marker.waiting)


def mark_sqlite(path: Path, *, now: datetime) -> Mark | None:
    """Write the marker into a SQLite copy (never into the live database); None when the copy's
    schema predates markers (run `hygiene db upgrade`)."""
    engine = create_engine(f"sqlite:///{path}", poolclass=NullPool)
    try:
        if not inspect(engine).has_table(table(BackupMarker).name):
            return None
        with Session(engine) as session:
            mark = _mark(_write_marker(session, now))
            session.commit()
        return mark
    finally:
        engine.dispose()


@contextmanager
def mark_postgres(url: str, *, now: datetime) -> Iterator[tuple[str | None, Mark | None]]:
    """The snapshot pg_dump must dump (`--snapshot`), in which a marker is written, and the mark.

    A snapshot cannot see what its own transaction wrote, so the marker is committed, the
    snapshot exported (and held open while pg_dump runs), then the marker marked live. Between
    the commit and that last update (milliseconds) the live database shows an open marker:
    the advisory lock, which notice() also takes, hides that moment from every service. The
    dump holds the marker as it was committed, not live.
    """
    engine = make_engine(url, poolclass=NullPool)
    try:
        if not inspect(engine).has_table(table(BackupMarker).name):
            yield None, None
            return
        with (
            engine.connect().execution_options(isolation_level="AUTOCOMMIT") as locker,
            engine.connect().execution_options(isolation_level="REPEATABLE READ") as frozen,
        ):
            locker.execute(text("SELECT pg_advisory_lock(:key)"), {"key": ADVISORY_KEY})
            marker_id: int | None = None
            try:
                with Session(engine) as session:
                    marker = _write_marker(session, now)
                    marker_id, mark = marker.id, _mark(marker)
                    session.commit()
                snapshot = str(frozen.execute(text("SELECT pg_export_snapshot()")).scalar_one())
            finally:
                if marker_id is not None:  # live from now on, whatever happened
                    with session_scope(engine) as session:
                        session.execute(
                            update(BackupMarker)
                            .where(col(BackupMarker.id) == marker_id)
                            .values(live_at=func.now())
                        )
                locker.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": ADVISORY_KEY})
            yield snapshot, mark
            frozen.rollback()
    finally:
        engine.dispose()
