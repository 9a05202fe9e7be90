"""Paged, filtered read models for the consoles and the REST API: outbox messages,
acknowledgements and the compliance log. Each list returns (rows, total) from two queries.

"""

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy import func, select
from sqlmodel import Session, col

from hygiene.acks.models import Acknowledgement
from hygiene.audit.models import AuditEvent
from hygiene.clock import UtcDatetime
from hygiene.inventory.models import Official, Unit
from hygiene.outbox.models import Message
from hygiene.outbox.queries import MessageRow
from hygiene.outbox.service import STATUSES
from hygiene.users.models import ConsoleUser


def _paged(session: Session, query: Any, limit: int, offset: int) -> tuple[list[Any], int]:
    total = int(session.execute(select(func.count()).select_from(query.subquery())).scalar_one())
    return list(session.execute(query.limit(limit).offset(offset)).all()), total


def messages(
    session: Session,
    *,
    status: str | None = None,
    employee_id: str | None = None,
    campaign: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[MessageRow], int]:
    # Outer joins: a message to a console user (an incident notice, the escalation of a unit
    # with no head) has no official.
    query = (
        select(Message, col(Official.employee_id), col(ConsoleUser.email))
        .outerjoin(Official, col(Official.id) == col(Message.official_id))
        .outerjoin(ConsoleUser, col(ConsoleUser.id) == col(Message.user_id))
        .order_by(col(Message.id).desc())
    )
    if status:
        query = query.where(col(Message.status) == status)
    if employee_id:
        query = query.where(col(Official.employee_id) == employee_id)
    if campaign:
        query = query.where(col(Message.campaign) == campaign)
    rows, total = _paged(session, query, limit, offset)
    return [
        MessageRow.model_validate({**m.model_dump(), "employee_id": e, "user_email": u})
        for m, e, u in rows
    ], total


def status_counts(session: Session) -> dict[str, int]:
    """Messages per outbox status (every status present, zero when none)."""
    query = select(col(Message.status), func.count()).group_by(col(Message.status))
    counts = dict.fromkeys(STATUSES, 0)
    counts.update({status: int(n) for status, n in session.execute(query)})
    return counts


class AckRow(BaseModel):
    id: int
    what: str
    how: str
    employee_id: str
    full_name: str
    unit: str
    at: UtcDatetime
    acted_on: date
    message_id: int | None
    advisory_id: int | None
    account_id: int | None


def acks(
    session: Session,
    *,
    employee_id: str | None = None,
    unit: str | None = None,
    what: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[AckRow], int]:
    """Acknowledgements recorded (hygiene.acks), newest first."""
    query = (
        select(
            col(Acknowledgement.id),
            col(Acknowledgement.what),
            col(Acknowledgement.how),
            col(Official.employee_id),
            col(Official.full_name),
            col(Unit.name),
            col(Acknowledgement.at),
            col(Acknowledgement.acted_on),
            col(Acknowledgement.message_id),
            col(Acknowledgement.advisory_id),
            col(Acknowledgement.account_id),
        )
        .join(Official, col(Official.id) == col(Acknowledgement.official_id))
        .join(Unit, col(Unit.id) == col(Official.unit_id))
        .order_by(col(Acknowledgement.at).desc(), col(Acknowledgement.id).desc())
    )
    if employee_id:
        query = query.where(col(Official.employee_id) == employee_id)
    if unit:
        query = query.where(col(Unit.name) == unit)
    if what:
        query = query.where(col(Acknowledgement.what) == what)
    rows, total = _paged(session, query, limit, offset)
    names = list(AckRow.model_fields)
    return [AckRow.model_validate(dict(zip(names, r, strict=True))) for r in rows], total


class AuditRow(BaseModel):
    seq: int
    at: UtcDatetime
    actor: str
    action: str
    subject: str
    data: str


def audit_events(
    session: Session,
    *,
    actor: str | None = None,
    action: str | None = None,
    subject: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[AuditRow], int]:
    """Newest first; `actor`, `action` and `subject` match a part of the text."""
    query = select(AuditEvent).order_by(col(AuditEvent.seq).desc())
    for column, value in (
        (AuditEvent.actor, actor),
        (AuditEvent.action, action),
        (AuditEvent.subject, subject),
    ):
        if value:
            query = query.where(col(column).contains(value.strip(), autoescape=True))
    if since is not None:
        query = query.where(col(AuditEvent.at) >= since)
    if until is not None:
        query = query.where(col(AuditEvent.at) < until)
    rows, total = _paged(session, query, limit, offset)
    return [AuditRow.model_validate(r[0].model_dump()) for r in rows], total
