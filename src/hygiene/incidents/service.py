"""Store, list and follow up reports of extortion attempts and suspicious messages.

The audit log records that a report was made, on which channel and when; the description stays in
the report (it may hold personal details the log should not repeat). A new report notifies the
security officers and sends the official a receipt (incidents.notify). A report moves
new → forwarded (to the police) → closed; every change and every note is an audit event.
"""

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from hygiene.audit import service as audit
from hygiene.db import row_id
from hygiene.errors import InvalidInput, NotFound
from hygiene.incidents import notify
from hygiene.incidents.models import CHANNELS, STATUSES, IncidentNote, IncidentReport
from hygiene.inventory.models import Official

MAX_DESCRIPTION = 4000


def report(
    session: Session,
    *,
    official_id: int | None,
    actor: str,
    channel: str,
    occurred_on: date | None,
    description: str,
    today: date,
    now: datetime,
    key: bytes,
) -> IncidentReport:
    text = _checked_report(channel, occurred_on, description, today)
    row = IncidentReport(
        official_id=official_id,
        reported_by=actor[:200],
        channel=channel,
        occurred_on=occurred_on,
        description=text,
        created_at=now,
    )
    session.add(row)
    session.flush()
    data = {"channel": channel, "occurred_on": occurred_on, "official": official_id}
    _log(session, row_id(row.id), "incident.reported", data, actor=actor, now=now, key=key)
    notify.enqueue(session, row=row, today=today, now=now)
    return row


def _checked_report(channel: str, occurred_on: date | None, description: str, today: date) -> str:
    """The description, stripped; InvalidInput when the report cannot be stored as given."""
    text = description.strip()
    if channel not in CHANNELS:
        raise InvalidInput("incident.bad_channel")
    if not text:
        raise InvalidInput("incident.empty")
    if len(text) > MAX_DESCRIPTION:
        raise InvalidInput("incident.too_long", max=MAX_DESCRIPTION)
    if occurred_on is not None and occurred_on > today:
        raise InvalidInput("incident.future")
    return text


def _log(
    session: Session,
    incident_id: int,
    action: str,
    data: dict[str, Any],
    *,
    actor: str,
    now: datetime,
    key: bytes,
) -> None:
    """One audit event about the report, in the caller's transaction."""
    audit.append(
        session,
        key=key,
        now=now,
        actor=actor,
        action=action,
        subject=f"incident:{incident_id}",
        data=data,
    )


def get(session: Session, *, incident_id: int) -> IncidentReport:
    row = session.get(IncidentReport, incident_id)
    if row is None:
        raise NotFound("incident.not_found", id=incident_id)
    return row


def set_status(
    session: Session, *, incident_id: int, status: str, actor: str, now: datetime, key: bytes
) -> IncidentReport:
    if status not in STATUSES:
        raise InvalidInput("incident.bad_status", status=status)
    row = get(session, incident_id=incident_id)
    before = row.status
    if before == status:
        return row
    row.status, row.updated_at = status, now
    session.add(row)
    session.flush()
    data = {"before": before, "after": status}
    _log(session, incident_id, "incident.status_changed", data, actor=actor, now=now, key=key)
    return row


def add_note(
    session: Session, *, incident_id: int, text: str, actor: str, now: datetime, key: bytes
) -> IncidentNote:
    """A note on the report; the log records that it was written, not what it says."""
    body = text.strip()
    if not body:
        raise InvalidInput("incident.empty_note")
    if len(body) > MAX_DESCRIPTION:
        raise InvalidInput("incident.too_long", max=MAX_DESCRIPTION)
    row = get(session, incident_id=incident_id)
    note = IncidentNote(incident_id=incident_id, author=actor[:254], text=body, created_at=now)
    row.updated_at = now
    session.add_all([note, row])
    session.flush()
    data = {"note": note.id, "length": len(body)}
    _log(session, incident_id, "incident.note_added", data, actor=actor, now=now, key=key)
    return note


def notes(session: Session, *, incident_id: int) -> Sequence[IncidentNote]:
    query = select(IncidentNote).where(IncidentNote.incident_id == incident_id)
    return session.exec(query.order_by(col(IncidentNote.created_at), col(IncidentNote.id))).all()


def count_new(session: Session) -> int:
    query = select(func.count()).select_from(IncidentReport).where(IncidentReport.status == "new")
    return int(session.exec(query).one())


def count_by_unit(session: Session, *, since: datetime, until: datetime) -> dict[int, int]:
    """Reports made in [since, until) per unit of the reporting official (set-based)."""
    query = (
        select(col(Official.unit_id), func.count(col(IncidentReport.id)))
        .join(Official, col(Official.id) == col(IncidentReport.official_id))
        .where(col(IncidentReport.created_at) >= since, col(IncidentReport.created_at) < until)
        .group_by(col(Official.unit_id))
    )
    return {unit: int(n) for unit, n in session.exec(query).all()}


def list_reports(
    session: Session, *, status: str | None = None, limit: int = 500
) -> Sequence[IncidentReport]:
    query = select(IncidentReport).order_by(col(IncidentReport.created_at).desc())
    if status is not None:
        query = query.where(IncidentReport.status == status)
    return session.exec(query.limit(limit)).all()
