"""Delivery-time rules: window, days, holidays, rate limits, redirect, first-run file channel."""

import asyncio
import random
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from sqlalchemy import Engine, select
from sqlmodel import Session, col

from hygiene.channels.file import FileChannel
from hygiene.channels.memory import MemoryChannel
from hygiene.clock import FixedClock
from hygiene.outbox.models import Message
from hygiene.outbox.rules import backoff, in_window
from hygiene.settings import Delivery, Settings
from tests.outbox.conftest import MakeDeliverer

ZONE = Settings(secret_key="x" * 20).zone


def local(day: date, at: time) -> datetime:
    return datetime.combine(day, at, ZONE).astimezone(UTC)


def test_it_sends_inside_the_window_on_a_working_day() -> None:
    assert in_window(local(date(2026, 3, 2), time(7, 30)), Delivery(), ZONE)


def test_it_waits_before_the_window_opens() -> None:
    assert not in_window(local(date(2026, 3, 2), time(7, 29)), Delivery(), ZONE)


def test_it_stops_when_the_window_closes() -> None:
    assert not in_window(local(date(2026, 3, 2), time(21, 0)), Delivery(), ZONE)


def test_it_does_not_send_on_sunday() -> None:
    assert not in_window(local(date(2026, 3, 1), time(10, 0)), Delivery(), ZONE)


def test_it_does_not_send_on_a_holiday() -> None:
    delivery = Delivery(holidays=[date(2026, 3, 2)])
    assert not in_window(local(date(2026, 3, 2), time(10, 0)), delivery, ZONE)


def test_it_backs_off_exponentially_with_jitter_up_to_the_cap() -> None:
    delivery = Delivery(backoff_base_seconds=30, backoff_max_seconds=600)
    rng = random.Random(1)  # noqa: S311
    delays = [backoff(n, delivery, rng).total_seconds() for n in (1, 2, 3, 10)]
    assert 15 <= delays[0] <= 30
    assert 30 <= delays[1] <= 60
    assert 60 <= delays[2] <= 120
    assert 300 <= delays[3] <= 600


def test_it_claims_nothing_outside_the_window(
    planned: int, make_deliverer: MakeDeliverer, email: MemoryChannel, clock: FixedClock
) -> None:
    clock.set(local(date(2026, 3, 2), time(22, 0)))
    report = asyncio.run(make_deliverer().drain())
    assert report.outside_window
    assert email.sent == []


def test_it_defers_messages_beyond_the_per_minute_rate(
    planned: int, make_deliverer: MakeDeliverer, email: MemoryChannel, settings: Settings
) -> None:
    limited = settings.model_copy(update={"delivery": Delivery(rate_per_minute={"email": 2})})
    asyncio.run(make_deliverer(settings_=limited, channels={"email": email}).drain())
    assert len(email.sent) == 2


def test_it_uses_the_next_channel_while_one_is_at_its_rate(
    planned: int,
    make_deliverer: MakeDeliverer,
    sms: MemoryChannel,
    settings: Settings,
) -> None:
    limited = settings.model_copy(update={"delivery": Delivery(rate_per_minute={"email": 2})})
    asyncio.run(make_deliverer(settings_=limited).drain())
    assert len(sms.sent) == 1


def test_it_sends_the_deferred_message_a_minute_later(
    planned: int,
    make_deliverer: MakeDeliverer,
    email: MemoryChannel,
    settings: Settings,
    clock: FixedClock,
) -> None:
    limited = settings.model_copy(update={"delivery": Delivery(rate_per_minute={"email": 2})})
    only_email = {"email": email}
    asyncio.run(make_deliverer(settings_=limited, channels=only_email).drain())
    clock.advance(timedelta(minutes=2))
    asyncio.run(make_deliverer(settings_=limited, channels=only_email).drain())
    assert len(email.sent) == 3


def test_it_stops_a_channel_at_its_daily_limit(
    planned: int,
    make_deliverer: MakeDeliverer,
    email: MemoryChannel,
    settings: Settings,
    clock: FixedClock,
) -> None:
    limited = settings.model_copy(update={"delivery": Delivery(rate_per_day={"email": 1})})
    asyncio.run(make_deliverer(settings_=limited, channels={"email": email}).drain())
    clock.advance(timedelta(minutes=5))
    asyncio.run(make_deliverer(settings_=limited, channels={"email": email}).drain())
    assert len(email.sent) == 1


def test_it_redirects_every_message_in_trial_mode(
    planned: int, make_deliverer: MakeDeliverer, email: MemoryChannel, settings: Settings
) -> None:
    trial = settings.model_copy(update={"delivery": Delivery(redirect_to="it-test@xa.example")})
    asyncio.run(make_deliverer(settings_=trial).drain())
    assert {m.to for m in email.sent} == {"it-test@xa.example"}


def test_it_writes_files_until_a_channel_is_configured(
    planned: int, make_deliverer: MakeDeliverer, tmp_path: Path, engine: Engine
) -> None:
    outbox = tmp_path / "outbox"
    channel = FileChannel(outbox, from_address="hygiene@xa.example")
    asyncio.run(make_deliverer(channels={"file": channel}).drain())
    assert len(list(outbox.glob("*.eml"))) == planned
    with Session(engine) as session:
        assert set(session.execute(select(col(Message.channel))).scalars()) == {"file"}


def test_it_sends_an_email_preference_through_the_smtp_channel(
    planned: int, make_deliverer: MakeDeliverer
) -> None:
    smtp = MemoryChannel("smtp")
    asyncio.run(make_deliverer(channels={"smtp": smtp, "file": MemoryChannel("file")}).drain())
    assert len(smtp.sent) == planned


def test_the_backoff_of_a_channel_down_for_thousands_of_batches_stays_at_its_cap() -> None:
    delivery = Delivery(backoff_base_seconds=30.0, backoff_max_seconds=6 * 3600.0)
    wait = backoff(5000, delivery, random.Random(1))  # noqa: S311  (jitter)
    assert timedelta(hours=3) <= wait <= timedelta(hours=6)
