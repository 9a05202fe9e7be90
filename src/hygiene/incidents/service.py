"""Store and list reports of extortion attempts and suspicious messages.

The audit log records that a report was made, on which channel and when; the description stays in
the report (it may hold personal details the log should not repeat).
"""

from collections.abc import Sequence
from datetime import date, datetime

from sqlmodel import Session, col, select

from hygiene.audit import service as audit
from hygiene.db import row_id
from hygiene.errors import InvalidInput
from hygiene.incidents.models import CHANNELS, IncidentReport

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
    text = description.strip()
    if channel not in CHANNELS:
        raise InvalidInput("incident.bad_channel")
    if not text:
        raise InvalidInput("incident.empty")
    if len(text) > MAX_DESCRIPTION:
        raise InvalidInput("incident.too_long", max=MAX_DESCRIPTION)
    if occurred_on is not None and occurred_on > today:
        raise InvalidInput("incident.future")
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
    audit.append(
        session,
        key=key,
        now=now,
        actor=actor,
        action="incident.reported",
        subject=f"incident:{row_id(row.id)}",
        data={"channel": channel, "occurred_on": occurred_on, "official": official_id},
    )
    return row


def list_reports(
    session: Session, *, status: str | None = None, limit: int = 500
) -> Sequence[IncidentReport]:
    query = select(IncidentReport).order_by(col(IncidentReport.created_at).desc())
    if status is not None:
        query = query.where(IncidentReport.status == status)
    return session.exec(query.limit(limit)).all()
