"""Noticing a restored database and holding the messages it holds (the decisions about them:
restore.decisions; the marker a backup writes: restore.marking).

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
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Engine, func, select, text, update
from sqlmodel import Session, col

from hygiene import i18n
from hygiene.audit import checkpoints
from hygiene.audit import service as audit
from hygiene.db import read_session, session_scope
from hygiene.outbox import service as outbox
from hygiene.outbox.models import Message
from hygiene.restore.models import BACKUP, CHECKPOINT, BackupMarker
from hygiene.settings import Settings

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
        found, subject = _hold(session, marker, claim, now=now)
        taken = aware(found.taken_at).isoformat(timespec="seconds") if found.taken_at else None
        audit.append(
            session,
            key=audit_key,
            now=now,
            actor=actor,
            action="outbox.restore_held",
            subject=subject,
            data={"reason": found.reason, "held": found.held, "seq": found.seq, "taken_at": taken},
        )
    _warn(found, settings)
    return found


def _hold(
    session: Session,
    marker: BackupMarker | None,
    claim: checkpoints.Claim | None,
    *,
    now: datetime,
) -> tuple[Noticed, str]:
    """Hold what waits, and remember the restore on the markers: what was noticed, its subject."""
    held = hold_waiting(session, now=now)
    if claim is not None:
        session.add(
            BackupMarker(kind=CHECKPOINT, taken_at=now, audit_seq=claim.seq,
                         audit_hash=claim.head_hash, restored_at=now, held=held)
        )  # fmt: skip
    if marker is not None:
        session.execute(
            update(BackupMarker)
            .where(col(BackupMarker.id) == marker.id)
            .values(restored_at=now, held=held)
        )
        return Noticed(BACKUP, marker.taken_at, marker.audit_seq, held), f"backup:{marker.id}"
    if claim is None:
        raise ValueError("nothing to hold: neither a backup marker nor a checkpoint claim")
    return Noticed(CHECKPOINT, None, claim.seq, held), f"checkpoint:{claim.seq}"


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
