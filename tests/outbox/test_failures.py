"""Failures are classified: transient retries with backoff, permanent keeps its reason, down
falls back to the next channel, and nothing is ever dropped."""

import asyncio
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, col

from hygiene.audit.models import AuditEvent
from hygiene.channels.base import (
    ChannelDown,
    OutgoingMessage,
    PermanentError,
    Result,
    TransientError,
)
from hygiene.channels.memory import MemoryChannel
from hygiene.clock import FixedClock
from hygiene.clock import as_utc as aware
from hygiene.outbox import batch, lookup
from hygiene.outbox.models import DeliveryAttempt, Message
from hygiene.settings import Delivery, Messages, Settings
from tests.outbox.conftest import MakeDeliverer, expire_leases


def _rows(engine: Engine) -> list[Message]:
    with Session(engine) as session:
        return list(session.execute(select(Message).order_by(col(Message.id))).scalars())


def test_it_reschedules_a_transient_failure_later(
    planned: int,
    make_deliverer: MakeDeliverer,
    email: MemoryChannel,
    engine: Engine,
    clock: FixedClock,
) -> None:
    email.fail_next(TransientError("421 try later"))
    asyncio.run(make_deliverer().run_once())
    first = _rows(engine)[0]
    assert first.status == "pending"
    assert first.last_error == "421 try later"
    assert aware(first.next_attempt_at) > clock.now()


def test_it_retries_after_the_backoff(
    planned: int, make_deliverer: MakeDeliverer, email: MemoryChannel, clock: FixedClock
) -> None:
    email.fail_next(TransientError("421 try later"))
    asyncio.run(make_deliverer().drain())
    clock.advance(timedelta(hours=1))
    asyncio.run(make_deliverer().drain())
    assert len(email.sent) == planned


def test_it_keeps_the_reason_of_a_permanent_failure(
    planned: int, make_deliverer: MakeDeliverer, email: MemoryChannel, engine: Engine
) -> None:
    email.fail_next(PermanentError("550 no such user"))
    asyncio.run(make_deliverer().drain())
    first = _rows(engine)[0]
    assert (first.status, first.last_error) == ("failed", "550 no such user")


def test_it_gives_up_after_max_attempts(
    planned: int,
    make_deliverer: MakeDeliverer,
    email: MemoryChannel,
    engine: Engine,
    settings: Settings,
    clock: FixedClock,
) -> None:
    """One message keeps failing while the channel carries the others: that message is dead."""
    limited = settings.model_copy(update={"delivery": Delivery(max_attempts=2)})
    for _ in range(2):
        email.fail_next(TransientError("452 mailbox full"))
        asyncio.run(make_deliverer(settings_=limited).drain())
        clock.advance(timedelta(days=1))
    assert sorted(row.status for row in _rows(engine)) == ["dead", "sent", "sent"]


class Outage(MemoryChannel):
    """A server that answers 421 to everything until it is up again."""

    up = False

    async def send(self, message: OutgoingMessage) -> Result:
        if not self.up:
            raise TransientError("421 service not available")
        return await super().send(message)


def test_a_channel_failing_every_send_of_a_batch_is_down_and_spends_no_attempt(
    planned: int,
    make_deliverer: MakeDeliverer,
    email: MemoryChannel,
    engine: Engine,
    settings: Settings,
    clock: FixedClock,
) -> None:
    limited = settings.model_copy(update={"delivery": Delivery(max_attempts=2)})
    server = Outage("email")
    deliverer = make_deliverer(settings_=limited, channels={"email": server})
    for _ in range(5):
        asyncio.run(deliverer.drain())
        clock.advance(timedelta(days=1))
    rows = _rows(engine)
    assert {(r.status, r.attempts) for r in rows} == {("pending", 0)}
    assert all("421 service not available" in (r.last_error or "") for r in rows)
    server.up = True
    asyncio.run(deliverer.drain())
    assert {r.status for r in _rows(engine)} == {"sent"}
    assert len(server.sent) == planned


def test_it_audits_a_dead_message(
    planned: int,
    make_deliverer: MakeDeliverer,
    email: MemoryChannel,
    engine: Engine,
    settings: Settings,
) -> None:
    limited = settings.model_copy(update={"delivery": Delivery(max_attempts=1)})
    email.fail_next(TransientError("timeout"))
    asyncio.run(make_deliverer(settings_=limited).run_once())
    with Session(engine) as session:
        actions = session.execute(select(col(AuditEvent.action))).scalars().all()
    assert "message.dead" in actions


def test_it_falls_back_to_the_next_channel_when_one_is_down(
    planned: int, make_deliverer: MakeDeliverer, email: MemoryChannel, sms: MemoryChannel
) -> None:
    email.fail_next(ChannelDown("535 authentication failed"))
    asyncio.run(make_deliverer().drain())
    assert len(sms.sent) == planned
    assert sms.sent[0].to.startswith("+84")


def test_it_records_the_down_channel_as_an_attempt(
    planned: int, make_deliverer: MakeDeliverer, email: MemoryChannel, engine: Engine
) -> None:
    email.fail_next(ChannelDown("535 authentication failed"))
    asyncio.run(make_deliverer().drain())
    with Session(engine) as session:
        outcomes = session.execute(select(col(DeliveryAttempt.outcome))).scalars().all()
    assert sorted(outcomes) == ["down", "sent", "sent", "sent"]


def test_it_fails_a_message_no_channel_can_carry(
    planned: int, make_deliverer: MakeDeliverer, engine: Engine
) -> None:
    asyncio.run(make_deliverer(channels={"zalo": MemoryChannel("zalo")}).drain())
    assert {m.status for m in _rows(engine)} == {"failed"}


def test_it_fails_a_message_whose_template_is_broken(
    planned: int,
    make_deliverer: MakeDeliverer,
    engine: Engine,
    settings: Settings,
    tmp_path: Path,
) -> None:
    broken = tmp_path / "templates" / "vi" / "rotation_overdue" / "subject.txt"
    broken.parent.mkdir(parents=True)
    broken.write_text("{{ no_such_variable }}\n", "utf-8")
    custom = settings.model_copy(
        update={"messages": Messages(templates_dir=tmp_path / "templates")}
    )
    asyncio.run(make_deliverer(settings_=custom).drain())
    rows = _rows(engine)
    assert {r.status for r in rows} == {"failed"}
    assert all("no_such_variable" in (r.last_error or "") for r in rows)


def _broken(settings: Settings, folder: Path, part: str = "sms.txt") -> Settings:
    broken = folder / "templates" / "vi" / "rotation_overdue" / part
    broken.parent.mkdir(parents=True)
    broken.write_text("{{ no_such_variable }}\n", "utf-8")
    return settings.model_copy(update={"messages": Messages(templates_dir=folder / "templates")})


def test_a_message_only_email_can_carry_does_not_render_its_sms_text(
    planned: int,
    make_deliverer: MakeDeliverer,
    email: MemoryChannel,
    engine: Engine,
    settings: Settings,
    tmp_path: Path,
) -> None:
    custom = _broken(settings, tmp_path)

    asyncio.run(make_deliverer(settings_=custom, channels={"email": email}).drain())

    assert {r.status for r in _rows(engine)} == {"sent"}
    assert len(email.sent) == planned
    assert {m.sms_text for m in email.sent} == {""}


def test_a_message_an_sms_route_may_carry_renders_its_sms_text(
    planned: int,
    make_deliverer: MakeDeliverer,
    email: MemoryChannel,
    engine: Engine,
    settings: Settings,
    tmp_path: Path,
) -> None:
    """Email first, SMS after it (the officials have mobile numbers): the SMS text is rendered
    with the rest, so its broken template fails the message as any part's does."""
    asyncio.run(make_deliverer(settings_=_broken(settings, tmp_path)).drain())

    rows = _rows(engine)
    assert {r.status for r in rows} == {"failed"}
    assert all("no_such_variable" in (r.last_error or "") for r in rows)
    assert email.sent == []


def test_a_message_only_phone_channels_carry_does_not_render_its_html(
    planned: int,
    make_deliverer: MakeDeliverer,
    sms: MemoryChannel,
    engine: Engine,
    settings: Settings,
    tmp_path: Path,
) -> None:
    custom = _broken(settings, tmp_path, "body.html")

    asyncio.run(make_deliverer(settings_=custom, channels={"sms": sms}).drain())

    assert {r.status for r in _rows(engine)} == {"sent"}
    assert len(sms.sent) == planned
    assert {m.html for m in sms.sent} == {""}
    assert all(m.sms_text for m in sms.sent)


def test_a_message_an_email_route_may_carry_renders_its_html(
    planned: int,
    make_deliverer: MakeDeliverer,
    email: MemoryChannel,
    sms: MemoryChannel,
    engine: Engine,
    settings: Settings,
    tmp_path: Path,
) -> None:
    """SMS first, email after it: the HTML part is rendered with the rest, so its broken
    template fails the message as any part's does."""
    custom = _broken(settings, tmp_path, "body.html")

    asyncio.run(make_deliverer(settings_=custom, channels={"sms": sms, "email": email}).drain())

    rows = _rows(engine)
    assert {r.status for r in rows} == {"failed"}
    assert all("no_such_variable" in (r.last_error or "") for r in rows)
    assert sms.sent == []


def test_the_sms_route_sends_the_sms_text(
    planned: int, make_deliverer: MakeDeliverer, sms: MemoryChannel, engine: Engine
) -> None:
    asyncio.run(make_deliverer(channels={"sms": sms}).drain())

    texts = [m.sms_text or "" for m in sms.sent]
    assert len(texts) == planned
    assert all(
        0 < len(text) < len(m.text) and "\n" not in text
        for text, m in zip(texts, sms.sent, strict=True)
    )


def test_a_channel_down_for_the_whole_batch_retries_every_message_later(
    planned: int, make_deliverer: MakeDeliverer, email: MemoryChannel, engine: Engine
) -> None:
    email.fail_next(ChannelDown("535 authentication failed"))
    asyncio.run(make_deliverer(channels={"email": email}).run_once())
    rows = _rows(engine)
    assert {r.status for r in rows} == {"pending"}
    assert all("535 authentication failed" in (r.last_error or "") for r in rows)


def test_a_database_error_while_preparing_does_not_fail_the_message(
    planned: int,
    make_deliverer: MakeDeliverer,
    email: MemoryChannel,
    engine: Engine,
    clock: FixedClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The connection drops while a message is rendered (compose reads the database): that is
    the database's fault, not the message's, so it is retried once its lease runs out."""
    real = lookup.load  # what hygiene.outbox.batch calls as `load`

    def drop_once(*args: Any, **kwargs: Any) -> Any:
        monkeypatch.setattr(batch, "load", real)
        raise OperationalError("SELECT", {}, Exception("server closed the connection"))

    monkeypatch.setattr(batch, "load", drop_once)
    with pytest.raises(OperationalError):
        asyncio.run(make_deliverer().run_once())
    assert "failed" not in {r.status for r in _rows(engine)}
    clock.advance(timedelta(minutes=10))  # past the lease
    expire_leases(engine, timedelta(minutes=10))
    asyncio.run(make_deliverer().drain())
    assert {r.status for r in _rows(engine)} == {"sent"}
    assert len(email.sent) == planned
