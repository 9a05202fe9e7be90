"""Noticing a restored database, and the decisions about the messages it holds.

A backup taken mid-delivery and restored later holds, as pending or sending, messages that were
delivered after the backup was taken: sending them again would remind every official reached
since then twice. So a service that finds itself on a restored database sends none of them: it
*holds* them (status `held`, which no claim selects) and a person decides, message by message
or all at once (`hygiene outbox held | release | cancel`), each decision an audit event.

How a restore is noticed (notice(), at the start of every delivery run, before anything is
claimed; a cheap read when nothing is wrong):
  - the database holds a backup marker that is neither live nor handled: `hygiene backup`
    wrote it into the backup (SQLite: into the copy only; PostgreSQL: a row the live database
    marks live right after the dump's snapshot was exported, see mark_postgres()), so this
    database *is* that backup;
  - or the checkpoint file (<data_dir>/audit-checkpoint, hygiene.audit.checkpoints) names an
    event the log no longer holds, or holds with another hash: the log is behind what the
    service already announced. A `checkpoint` marker remembers that this claim was handled.
Then, in one transaction, every message pending or sending becomes held, the marker records when
and how many, and one audit event says why. After that nothing is held again for the same
restore: new messages are planned and sent as usual.

Which messages: every one pending or sending when the restore is noticed. The service notices
before its first claim, so on a restored database those are the messages that were waiting when
the backup was taken (plus any planned by hand before the service started).
"""

import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from pydantic import BaseModel
from sqlalchemy import Engine, create_engine, func, inspect, select, text, update
from sqlalchemy.pool import NullPool
from sqlmodel import Session, col

from hygiene import i18n
from hygiene.audit import checkpoints
from hygiene.audit import service as audit
from hygiene.db import make_engine, read_session, session_scope, table
from hygiene.errors import InvalidInput
from hygiene.inventory.models import Official
from hygiene.outbox import service as outbox
from hygiene.outbox.compose import message_id_for
from hygiene.outbox.models import Message
from hygiene.restore.models import BACKUP, CHECKPOINT, BackupMarker
from hygiene.settings import Settings
from hygiene.users.models import ConsoleUser

log = logging.getLogger(__name__)
# PostgreSQL advisory lock: `hygiene backup` holds it while its marker is in the live database
# without being marked live (a few milliseconds); notice() waits for it before deciding.
ADVISORY_KEY = 0x6879_6772  # "hygr"
WAITING = (outbox.PENDING, outbox.SENDING)


@dataclass(frozen=True)
class Noticed:
    reason: str  # backup | checkpoint
    taken_at: datetime | None  # when the backup was taken (None: only the checkpoint says so)
    seq: int  # the log's head in the backup, or the checkpoint the log no longer holds
    held: int


def advisory_lock(session: Session) -> None:
    """Serialise with `hygiene backup`'s marking on PostgreSQL (SQLite: BEGIN IMMEDIATE already
    serialises writers)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": ADVISORY_KEY})


def _open_marker(session: Session) -> BackupMarker | None:
    query = (
        select(BackupMarker)
        .where(
            col(BackupMarker.kind) == BACKUP,
            col(BackupMarker.live_at).is_(None),
            col(BackupMarker.restored_at).is_(None),
        )
        .order_by(col(BackupMarker.id).desc())
        .limit(1)
    )
    return session.execute(query).scalars().first()


def _checkpoint_ahead(session: Session, settings: Settings) -> checkpoints.Claim | None:
    """The checkpoint the log no longer honours, unless a restore was already noticed for it."""
    claim = checkpoints.last_sent(settings.checkpoint_path)
    if claim is None or not checkpoints.check(session, claims=[claim]):
        return None
    handled = session.execute(
        select(func.count()).where(
            col(BackupMarker.kind) == CHECKPOINT,
            col(BackupMarker.audit_seq) == claim.seq,
            col(BackupMarker.audit_hash) == claim.head_hash,
        )
    ).scalar_one()
    return None if handled else claim


def _suspect(
    session: Session, settings: Settings
) -> tuple[BackupMarker | None, checkpoints.Claim | None]:
    return _open_marker(session), _checkpoint_ahead(session, settings)


def notice(
    engine: Engine, *, settings: Settings, now: datetime, audit_key: bytes, actor: str
) -> Noticed | None:
    """Hold what was waiting if this database is a restored one (see the module's docstring)."""
    with read_session(engine) as session:
        marker, claim = _suspect(session, settings)
    if marker is None and claim is None:
        return None
    with session_scope(engine) as session:
        advisory_lock(session)
        marker, claim = _suspect(session, settings)
        if marker is None and claim is None:
            return None
        held = hold_waiting(session, now=now)
        if marker is not None:
            session.execute(
                update(BackupMarker)
                .where(col(BackupMarker.id) == marker.id)
                .values(restored_at=now, held=held)
            )
            found = Noticed(BACKUP, marker.taken_at, marker.audit_seq, held)
            subject = f"backup:{marker.id}"
        elif claim is not None:
            found = Noticed(CHECKPOINT, None, claim.seq, held)
            subject = f"checkpoint:{claim.seq}"
        if claim is not None:
            session.add(
                BackupMarker(kind=CHECKPOINT, taken_at=now, audit_seq=claim.seq,
                             audit_hash=claim.head_hash, restored_at=now, held=held)
            )  # fmt: skip
        taken = aware(found.taken_at).isoformat(timespec="seconds") if found.taken_at else None
        audit.append(
            session,
            key=audit_key,
            now=now,
            actor=actor,
            action="outbox.restore_held",
            subject=subject,
            data={"reason": found.reason, "held": held, "seq": found.seq, "taken_at": taken},
        )
    _warn(found, settings)
    return found


def aware(value: datetime) -> datetime:
    """SQLite gives back the UTC instants it stored without their zone."""
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _warn(found: Noticed, settings: Settings) -> None:
    params: dict[str, object] = {"held": found.held, "seq": found.seq}
    if found.taken_at is not None:
        key = "restore.noticed_backup"
        params["taken_at"] = aware(found.taken_at).astimezone(settings.zone)
    else:
        key = "restore.noticed_checkpoint"
    vi, en = i18n.t(key, "vi", **params), i18n.t(key, "en", **params)
    log.warning("%s / %s", vi, en)


def hold_waiting(session: Session, *, now: datetime) -> int:
    """Every pending or sending message becomes held (leases dropped); how many."""
    statement = (
        update(Message)
        .where(col(Message.status).in_(WAITING))
        .values(status=outbox.HELD, lease_owner=None, lease_until=None, updated_at=now)
        .returning(col(Message.id))
        .execution_options(synchronize_session=False)
    )
    return len(list(session.execute(statement).scalars()))


# --- the decisions -------------------------------------------------------------------------------


class HeldRow(BaseModel):
    id: int
    campaign: str
    kind: str
    stage: str | None
    employee_id: str | None  # the official, or None for a console user (recipient says who)
    recipient: str | None
    attempts: int
    planned_on: date
    message_id: str  # the Message-ID it was (or would be) sent with: look it up in the mail log


def held(session: Session, *, settings: Settings, limit: int | None = None) -> list[HeldRow]:
    query = (
        select(Message, col(Official.employee_id), col(Official.email), col(ConsoleUser.email))
        .outerjoin(Official, col(Official.id) == col(Message.official_id))
        .outerjoin(ConsoleUser, col(ConsoleUser.id) == col(Message.user_id))
        .where(col(Message.status) == outbox.HELD)
        .order_by(col(Message.id))
    )
    if limit is not None:
        query = query.limit(limit)
    rows = []
    for message, employee_id, official_email, user_email in session.execute(query).all():
        key = message.idempotency_key
        rows.append(
            HeldRow(
                id=message.id,
                campaign=message.campaign,
                kind=message.kind,
                stage=message.stage,
                employee_id=employee_id,
                recipient=message.recipient or official_email or user_email,
                attempts=message.attempts,
                planned_on=message.planned_on,
                message_id=message.message_id or message_id_for(key, settings),
            )
        )
    return rows


def decide(
    session: Session,
    *,
    ids: Sequence[int] | None,
    release: bool,
    now: datetime,
    audit_key: bytes,
    actor: str,
) -> list[int]:
    """Release (pending again, due now) or cancel (never sent) the held messages `ids`, or every
    held message when `ids` is None; one audit event per message. All or nothing: an id that is
    not held refuses the whole decision (InvalidInput)."""
    condition = col(Message.status) == outbox.HELD
    if ids is not None:
        wanted = sorted(set(ids))
        found = set(
            session.execute(
                select(col(Message.id)).where(condition, col(Message.id).in_(wanted))
            ).scalars()
        )
        missing = [pk for pk in wanted if pk not in found]
        if missing:
            raise InvalidInput("restore.not_held", ids=", ".join(str(pk) for pk in missing))
        condition = condition & col(Message.id).in_(wanted)
    values: dict[str, object] = {"updated_at": now}
    if release:
        values.update(status=outbox.PENDING, next_attempt_at=now)
    else:
        values.update(status=outbox.CANCELLED)
    changed = session.execute(
        update(Message)
        .where(condition)
        .values(**values)
        .returning(col(Message.id), col(Message.idempotency_key))
        .execution_options(synchronize_session=False)
    ).all()
    action = "message.released" if release else "message.cancelled"
    events = [
        audit.NewEvent(actor=actor, action=action, subject=f"message:{pk}", data={"key": key})
        for pk, key in sorted(changed)
    ]
    audit.append_many(session, key=audit_key, now=now, events=events)
    return [pk for pk, _ in sorted(changed)]


# --- the marker a backup carries -----------------------------------------------------------------


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
