"""An incident reaches people through the outbox: an urgent notice to every active
security-role console user (the urgent lane: claimed first, sent even outside the send
window; the caller wakes the delivery loop after its commit), and a receipt with the reference
number to the reporting official (a normal message).

Keys ``incident:{id}:user:{user}`` and ``incident:{id}:receipt``: reporting twice cannot notify
twice. The notice names the reporter, the channel and the dates, never the description (it may
hold personal details and stays in the console). One INSERT … SELECT for the notices.
"""

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import String, and_, cast, func, literal, null, select
from sqlmodel import Session, col

from hygiene import i18n
from hygiene.campaigns.sql import insert_messages, message_columns
from hygiene.clock import as_utc
from hygiene.incidents.models import IncidentReport
from hygiene.inventory.models import Official, Unit
from hygiene.outbox import service as outbox
from hygiene.outbox.models import Message
from hygiene.users.models import ConsoleUser

CAMPAIGN = "incident"
NOTICE, RECEIPT = "incident_new", "incident_receipt"
SECURITY_ROLE = "security"


def reference(row: IncidentReport) -> str:
    """The number the official quotes: BC-<year>-<id, 5 digits>."""
    return f"BC-{row.created_at.year}-{row.id or 0:05d}"


def _columns(key: Any, kind: str, official: Any, payload: str, today: date, now: datetime) -> Any:
    return message_columns(
        key=key,
        campaign=CAMPAIGN,
        kind=kind,
        stage=None,
        official=official,
        payload=payload,
        today=today,
        now=now,
    )


def enqueue(session: Session, *, row: IncidentReport, today: date, now: datetime) -> list[str]:
    """Plan the notices and the receipt; returns the keys planned."""
    incident = str(row.id)
    key = literal(f"{CAMPAIGN}:{incident}:user:") + cast(col(ConsoleUser.id), String)
    security = and_(col(ConsoleUser.active), col(ConsoleUser.roles).contains(SECURITY_ROLE))
    notices = select(
        *_columns(key, NOTICE, null(), incident, today, now),
        col(ConsoleUser.id),
        literal(outbox.URGENT),
    ).where(security)
    keys = insert_messages(session, notices, with_user=True, with_priority=True)
    if row.official_id is not None:
        receipt = select(
            *_columns(
                literal(f"{CAMPAIGN}:{incident}:receipt"),
                RECEIPT,
                literal(row.official_id),
                incident,
                today,
                now,
            )
        )
        keys += insert_messages(session, receipt)
    return keys


def context(session: Session, *, incident_id: int, zone: ZoneInfo, locale: str) -> dict[str, Any]:
    """What the notice and the receipt show (never the description)."""
    row = session.get(IncidentReport, incident_id)
    if row is None:
        raise LookupError(f"incident {incident_id} is gone")
    official = session.get(Official, row.official_id) if row.official_id else None
    unit = session.get(Unit, official.unit_id) if official else None
    notified = session.execute(
        select(func.count())
        .select_from(Message)
        .where(
            col(Message.idempotency_key).startswith(f"{CAMPAIGN}:{incident_id}:user:"),
        )
    ).scalar_one()
    reported = as_utc(row.created_at).astimezone(zone)
    return {
        "reference": reference(row),
        "reporter": official.full_name if official else row.reported_by,
        "unit": unit.name if unit else "",
        "channel": i18n.t(f"incident.channel_{row.channel}", locale),
        "occurred_on": i18n.format_date(row.occurred_on) if row.occurred_on else "",
        "reported_at": i18n.format_value(reported),
        "notified": int(notified),
    }
