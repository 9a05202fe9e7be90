"""Sent messages with a known acknowledgement code, written directly (delivery: tests/outbox)."""

from datetime import datetime, timedelta

from sqlmodel import Session

from hygiene import keyed
from hygiene.outbox.models import Message
from tests.conftest import NOW, SECRET


def sent_message(
    session: Session,
    official_id: int,
    *,
    campaign: str = "rotation",
    kind: str = "rotation_due",
    stage: str | None = "due",
    payload: str = "",
    key: str | None = None,
    expires: datetime | None = None,
) -> tuple[Message, str]:
    """A sent message and its code as shown to the official (XXXX-XXXX)."""
    key = key or f"{campaign}:{official_id}:{payload or 'x'}:{kind}"
    code = keyed.code_for(SECRET.encode(), key)
    message = Message(
        idempotency_key=key,
        campaign=campaign,
        kind=kind,
        stage=stage,
        official_id=official_id,
        payload=payload,
        planned_on=NOW.date(),
        planned_at=NOW,
        status="sent",
        next_attempt_at=NOW,
        updated_at=NOW,
        sent_at=NOW,
        ack_hmac=keyed.code_hmac(SECRET.encode(), code),
        ack_expires_at=expires or NOW + timedelta(days=30),
    )
    session.add(message)
    session.flush()
    return message, keyed.display(code)


def wrong_code(index: int) -> str:
    """A well-formed code that belongs to no message."""
    return keyed.display(keyed.code_for(b"another-secret-0123456789", f"wrong:{index}"))
