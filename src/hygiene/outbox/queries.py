"""Read-only views of the outbox for the CLI (and later the web console)."""

from collections.abc import Sequence
from datetime import date

from pydantic import BaseModel
from sqlalchemy import select
from sqlmodel import Session, col

from hygiene.clock import UtcDatetime
from hygiene.inventory.models import Official
from hygiene.outbox.models import DeliveryAttempt, Message
from hygiene.outbox.service import attempts_of
from hygiene.users.models import ConsoleUser


class MessageRow(BaseModel):
    id: int
    idempotency_key: str
    campaign: str
    kind: str
    stage: str | None
    employee_id: str | None  # None: the message is to a console user (user_email)
    status: str
    attempts: int
    planned_on: date
    next_attempt_at: UtcDatetime
    channel: str | None
    recipient: str | None
    sent_at: UtcDatetime | None
    last_error: str | None
    user_email: str | None = None  # a security officer: an incident notice, a headless escalation


class AttemptRow(BaseModel):
    attempt: int
    worker: str
    channel: str | None
    recipient: str | None
    outcome: str
    detail: str
    finished_at: UtcDatetime


class MessageDetail(MessageRow):
    message_id: str | None
    subject: str | None
    body: str | None
    provider_id: str | None
    attempt_list: list[AttemptRow]


def _row(
    message: Message, employee_id: str | None, user_email: str | None = None
) -> dict[str, object]:
    return {**message.model_dump(), "employee_id": employee_id, "user_email": user_email}


def list_messages(
    session: Session,
    *,
    status: str | None = None,
    employee_id: str | None = None,
    limit: int = 500,
) -> list[MessageRow]:
    query = (
        select(Message, col(Official.employee_id))
        .join(Official, col(Official.id) == col(Message.official_id))
        .order_by(col(Message.id).desc())
        .limit(limit)
    )
    if status:
        query = query.where(col(Message.status) == status)
    if employee_id:
        query = query.where(col(Official.employee_id) == employee_id)
    return [MessageRow.model_validate(_row(m, e)) for m, e in session.execute(query).all()]


def show_message(session: Session, message_id: int) -> MessageDetail | None:
    found = session.execute(
        select(Message, col(Official.employee_id), col(ConsoleUser.email))
        .outerjoin(Official, col(Official.id) == col(Message.official_id))
        .outerjoin(ConsoleUser, col(ConsoleUser.id) == col(Message.user_id))
        .where(col(Message.id) == message_id)
    ).first()
    if found is None:
        return None
    message, employee_id, user_email = found
    attempts: Sequence[DeliveryAttempt] = attempts_of(session, message_id)
    return MessageDetail.model_validate(
        {
            **_row(message, employee_id, user_email),
            "attempt_list": [AttemptRow.model_validate(a.model_dump()) for a in attempts],
        }
    )
