"""drain() claims and renders the next batch while one sends (outbox.delivery docstring)."""

import asyncio
import time

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.exc import OperationalError
from sqlmodel import col

from hygiene.channels.base import OutgoingMessage, Result
from hygiene.channels.memory import MemoryChannel
from hygiene.db import session_scope
from hygiene.outbox import batch
from hygiene.outbox.models import Message
from hygiene.settings import Delivery, Settings
from tests.outbox.conftest import MakeDeliverer


def _one_a_batch(settings: Settings, **delivery: object) -> Settings:
    return settings.model_copy(update={"delivery": Delivery(batch_size=1, **delivery)})


def _sending(engine: Engine) -> int:
    with session_scope(engine) as session:
        query = select(func.count()).where(col(Message.status) == "sending")
        return int(session.execute(query).scalar_one())


class Watching(MemoryChannel):
    """During the first send: waits (up to 5 s) to see a second batch leased beside its own."""

    def __init__(self, engine: Engine) -> None:
        super().__init__("email")
        self.engine = engine
        self.seen_sending = 0

    async def send(self, message: OutgoingMessage) -> Result:
        if not self.sent:
            deadline = time.monotonic() + 5
            while self.seen_sending < 2 and time.monotonic() < deadline:
                self.seen_sending = await asyncio.to_thread(_sending, self.engine)
                await asyncio.sleep(0.01)
        return await super().send(message)


def test_the_next_batch_is_claimed_while_one_sends(
    planned: int, make_deliverer: MakeDeliverer, settings: Settings, engine: Engine
) -> None:
    channel = Watching(engine)
    deliverer = make_deliverer(settings_=_one_a_batch(settings), channels={"email": channel})

    report = asyncio.run(deliverer.drain())

    assert channel.seen_sending == 2
    assert report.outcomes == {"sent": planned}
    assert len({m.message_id for m in channel.sent}) == planned == 3


def test_a_rate_limit_holds_over_batches_claimed_ahead(
    planned: int, make_deliverer: MakeDeliverer, email: MemoryChannel, settings: Settings
) -> None:
    limited = _one_a_batch(settings, rate_per_minute={"email": 2})

    report = asyncio.run(make_deliverer(settings_=limited, channels={"email": email}).drain())

    assert len(email.sent) == 2
    assert report.outcomes == {"sent": 2, "rate_limited": 1}


def test_a_batch_claimed_ahead_goes_back_when_recording_fails(
    planned: int,
    make_deliverer: MakeDeliverer,
    email: MemoryChannel,
    settings: Settings,
    engine: Engine,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def refuse(*_: object, **__: object) -> set[int]:
        raise OperationalError("UPDATE", {}, Exception("database is locked"))

    monkeypatch.setattr(batch, "record", refuse)
    deliverer = make_deliverer(settings_=_one_a_batch(settings), channels={"email": email})

    assert asyncio.run(deliverer.tick()) is None
    assert len(email.sent) == 1
    assert _sending(engine) == 1  # the one sent, its outcome kept for the next tick


def test_a_slow_claim_ahead_still_counts_each_send_once(
    planned: int,
    make_deliverer: MakeDeliverer,
    email: MemoryChannel,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real, calls = batch.claim, []

    def slow_after_the_first(*args: object, **kwargs: object) -> batch.Claimed:
        calls.append(1)
        if len(calls) > 1:
            time.sleep(0.3)  # in its worker thread: the batch before is done sending by then
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(batch, "claim", slow_after_the_first)
    limited = _one_a_batch(settings, rate_per_minute={"email": 3})

    report = asyncio.run(make_deliverer(settings_=limited, channels={"email": email}).drain())

    assert report.outcomes == {"sent": 3}  # not spent twice: the limit is not reached
