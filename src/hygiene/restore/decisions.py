"""The decisions about held messages: list them, release or cancel them, one audit event each
(`hygiene outbox held | release | cancel`). Why messages are held: restore.notice."""

from collections.abc import Sequence
from datetime import date, datetime

from pydantic import BaseModel
from sqlalchemy import select, update
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col

from hygiene.audit import service as audit
from hygiene.errors import InvalidInput
from hygiene.inventory.models import Official
from hygiene.outbox import service as outbox
from hygiene.outbox.compose import message_id_for
from hygiene.outbox.models import Message
from hygiene.settings import Settings
from hygiene.users.models import ConsoleUser


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


def _held_ones(session: Session, ids: Sequence[int] | None) -> ColumnElement[bool]:
    """Which rows a decision changes: held ones, all or `ids` (each must be held)."""
    condition = col(Message.status) == outbox.HELD
    if ids is None:
        return condition
    wanted = sorted(set(ids))
    found = set(
        session.execute(
            select(col(Message.id)).where(condition, col(Message.id).in_(wanted))
        ).scalars()
    )
    missing = [pk for pk in wanted if pk not in found]
    if missing:
        raise InvalidInput("restore.not_held", ids=", ".join(str(pk) for pk in missing))
    return condition & col(Message.id).in_(wanted)


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
    condition = _held_ones(session, ids)
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
