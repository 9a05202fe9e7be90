"""Delivering planned messages: each once, with its code and Message-ID, every attempt recorded."""

import asyncio
from datetime import date

from sqlalchemy import Engine, select, update
from sqlmodel import Session, col

from hygiene import keyed
from hygiene.audit.models import AuditEvent
from hygiene.channels.base import OutgoingMessage, Result
from hygiene.channels.memory import MemoryChannel
from hygiene.clock import as_utc as aware
from hygiene.db import session_scope
from hygiene.outbox.compose import HIDDEN_CODE, message_id_for
from hygiene.outbox.models import DeliveryAttempt, Message
from hygiene.settings import Settings
from tests.conftest import SECRET
from tests.outbox.conftest import MakeDeliverer


def _messages(engine: Engine) -> list[Message]:
    with Session(engine) as session:
        return list(session.execute(select(Message).order_by(col(Message.id))).scalars())


def test_it_sends_every_planned_message_once(
    planned: int, make_deliverer: MakeDeliverer, email: MemoryChannel
) -> None:
    asyncio.run(make_deliverer().drain())
    assert len(email.sent) == planned == 3


def test_it_sends_nothing_the_second_time(
    planned: int, make_deliverer: MakeDeliverer, email: MemoryChannel
) -> None:
    asyncio.run(make_deliverer().drain())
    asyncio.run(make_deliverer().drain())
    assert len(email.sent) == planned


def test_it_marks_the_message_sent_with_the_provider_id(
    planned: int, make_deliverer: MakeDeliverer, engine: Engine
) -> None:
    asyncio.run(make_deliverer().drain())
    assert {(m.status, m.channel, m.provider_id == m.message_id) for m in _messages(engine)} == {
        ("sent", "email", True)
    }


def test_it_derives_the_message_id_from_the_idempotency_key(
    planned: int, make_deliverer: MakeDeliverer, email: MemoryChannel, settings: Settings
) -> None:
    asyncio.run(make_deliverer().drain())
    assert all(m.message_id == message_id_for(m.idempotency_key, settings) for m in email.sent)


def test_it_stores_only_the_hmac_of_the_code_shown(
    planned: int, make_deliverer: MakeDeliverer, engine: Engine, email: MemoryChannel
) -> None:
    asyncio.run(make_deliverer().drain())
    row = _messages(engine)[0]
    code = keyed.code_for(SECRET.encode(), row.idempotency_key)
    sent = next(m for m in email.sent if m.idempotency_key == row.idempotency_key)
    assert keyed.display(code) in sent.text
    assert row.ack_hmac == keyed.code_hmac(SECRET.encode(), code)


def test_the_stored_copy_hides_the_code_the_official_was_sent(
    planned: int, make_deliverer: MakeDeliverer, engine: Engine, email: MemoryChannel
) -> None:
    asyncio.run(make_deliverer().drain())
    for row in _messages(engine):
        shown = keyed.display(keyed.code_for(SECRET.encode(), row.idempotency_key))
        sent = next(m for m in email.sent if m.idempotency_key == row.idempotency_key)
        assert shown in sent.text
        assert shown not in (row.body or "") + (row.subject or "")
        assert HIDDEN_CODE in (row.body or "")
        assert (row.body or "").replace(HIDDEN_CODE, shown) == sent.text


def test_it_masks_the_login_in_the_message(
    planned: int, make_deliverer: MakeDeliverer, email: MemoryChannel
) -> None:
    asyncio.run(make_deliverer().drain())
    assert "ng***@…" in email.sent[0].text
    assert "nguyen.huong@" not in email.sent[0].text


def test_it_records_every_attempt(
    planned: int, make_deliverer: MakeDeliverer, engine: Engine
) -> None:
    asyncio.run(make_deliverer().drain())
    with Session(engine) as session:
        outcomes = session.execute(select(col(DeliveryAttempt.outcome))).scalars().all()
    assert outcomes == ["sent"] * 3


def test_it_appends_an_audit_event_per_sent_message(
    planned: int, make_deliverer: MakeDeliverer, engine: Engine
) -> None:
    asyncio.run(make_deliverer().drain())
    with Session(engine) as session:
        actions = session.execute(select(col(AuditEvent.action))).scalars().all()
    assert actions.count("message.sent") == 3


def test_it_keeps_the_code_valid_through_the_day_the_message_shows(
    planned: int, make_deliverer: MakeDeliverer, engine: Engine, settings: Settings
) -> None:
    asyncio.run(make_deliverer().drain())
    row = _messages(engine)[0]
    assert row.ack_expires_at is not None
    expires = aware(row.ack_expires_at).astimezone(settings.zone)
    assert (expires.date(), expires.hour) == (date(2026, 4, 2), 0)  # shown: "đến ngày 01/04/2026"


class SlowChannel(MemoryChannel):
    """Counts how many sends are in flight at once."""

    def __init__(self) -> None:
        super().__init__("email")
        self.in_flight = self.most = 0

    async def send(self, message: OutgoingMessage) -> Result:
        self.in_flight += 1
        self.most = max(self.most, self.in_flight)
        await asyncio.sleep(0.02)
        self.in_flight -= 1
        return await super().send(message)


def test_it_keeps_up_to_the_configured_number_of_sends_in_flight(
    planned: int, make_deliverer: MakeDeliverer, settings: Settings
) -> None:
    for concurrency, expected in ((1, 1), (2, 2), (8, planned)):
        channel = SlowChannel()
        custom = settings.model_copy(
            update={"delivery": settings.delivery.model_copy(update={"concurrency": concurrency})}
        )
        with session_scope(make_deliverer().engine) as session:
            session.execute(update(Message).values(status="pending", attempts=0))
        asyncio.run(make_deliverer(channels={"email": channel}, settings_=custom).drain())
        assert (channel.most, len(channel.sent)) == (expected, planned)
