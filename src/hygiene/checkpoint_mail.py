"""The compliance-log checkpoint emailed to the security officers (hygiene.audit.checkpoints
says why): take the head, queue one message per active security officer in the outbox and log
that it was sent. Above audit, users and outbox, so that audit imports neither; called by
`hygiene audit checkpoint` and the scheduler's daily job (hygiene.jobs.checkpoint_job).
"""

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlmodel import Session, col, select

from hygiene.audit import service as audit
from hygiene.audit.checkpoints import CAMPAIGN, KIND, Checkpoint, current
from hygiene.db import row_id
from hygiene.outbox import service as outbox
from hygiene.settings import Settings
from hygiene.users.models import ConsoleUser


@dataclass(frozen=True)
class Issued:
    checkpoint: Checkpoint
    recipients: int


def security_officers(session: Session) -> list[ConsoleUser]:
    users = session.exec(select(ConsoleUser).where(col(ConsoleUser.active).is_(True))).all()
    return [user for user in users if "security" in user.roles.split(",")]


def issue(session: Session, *, settings: Settings, key: bytes, now: datetime, actor: str) -> Issued:
    """Take a checkpoint of the head, queue it by email to every active security officer
    (normal lane, key `checkpoint:SEQ:TIME:user:ID`) and log that it was sent, all in the
    caller's transaction.

    The caller commits, then `remember()`s it: the file never names a checkpoint whose sending
    was rolled back.
    """
    taken = current(session, now=now)
    officers = security_officers(session)
    stamp = taken.at.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    for officer in officers:
        outbox.enqueue(
            session, idempotency_key=f"{CAMPAIGN}:{taken.seq}:{stamp}:user:{row_id(officer.id)}",
            campaign=CAMPAIGN, kind=KIND, now=now, today=now.astimezone(settings.zone).date(),
            user_id=officer.id, payload=taken.line(),
        )  # fmt: skip
    audit.append(
        session,
        key=key,
        now=now,
        actor=actor,
        action="audit.checkpoint",
        subject=f"audit:{taken.seq}",
        data={"seq": taken.seq, "hash": taken.head_hash, "count": taken.count,
              "recipients": len(officers)},
    )  # fmt: skip
    return Issued(taken, len(officers))
