"""The urgent lane: claimed before the queue, sent even outside the send window, once per key."""

import asyncio
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import Engine, select
from sqlmodel import col

from hygiene.channels.memory import MemoryChannel
from hygiene.clock import FixedClock
from hygiene.db import session_scope
from hygiene.outbox import service as outbox
from hygiene.outbox.models import Message
from hygiene.settings import Settings
from tests import factories as f
from tests.outbox.conftest import MakeDeliverer

LEASE = timedelta(minutes=5)


def _urgent_official(engine: Engine, clock: FixedClock, key: str = "urgent:1") -> int:
    """A fourth official, with an urgent message (the kind renders like a reminder)."""
    with session_scope(engine) as session:
        unit = f.ident(f.unit(session, "Phòng Tư pháp"))
        who = f.ident(f.official(session, unit, "CB900", phone="+84912345699"))
        account = f.ident(f.account(session, who, rotated=date(2025, 11, 1)))
        inserted = outbox.enqueue_urgent(
            session,
            idempotency_key=key,
            campaign="rotation",
            kind="rotation_overdue",
            official_id=who,
            payload=str(account),
            now=clock.now(),
            today=clock.now().date(),
        )
        assert inserted
        return who


def _urgent_ids(engine: Engine) -> set[int]:
    with session_scope(engine) as session:
        query = select(col(Message.id)).where(col(Message.priority) == outbox.URGENT)
        return set(session.execute(query).scalars())


def test_it_claims_an_urgent_message_before_older_ones(
    planned: int, engine: Engine, clock: FixedClock
) -> None:
    clock.set(clock.now() + timedelta(minutes=1))  # the urgent one is the newest
    _urgent_official(engine, clock)
    with session_scope(engine) as session:
        first = outbox.claim(session, now=clock.now(), owner="a", limit=1, lease=LEASE)
    assert set(first) == _urgent_ids(engine)


def test_it_fills_the_rest_of_the_batch_with_normal_messages(
    planned: int, engine: Engine, clock: FixedClock
) -> None:
    _urgent_official(engine, clock)
    with session_scope(engine) as session:
        claimed = outbox.claim(session, now=clock.now(), owner="a", limit=10, lease=LEASE)
    assert len(claimed) == planned + 1
    assert claimed[0] in _urgent_ids(engine)


def test_it_sends_only_urgent_messages_outside_the_window(
    planned: int, make_deliverer: MakeDeliverer, email: MemoryChannel, clock: FixedClock,
    engine: Engine, settings: Settings,
) -> None:  # fmt: skip
    night = datetime.combine(date(2026, 3, 2), time(22, 0), settings.zone).astimezone(UTC)
    clock.set(night)
    _urgent_official(engine, clock)

    report = asyncio.run(make_deliverer().drain())

    assert report.outside_window
    assert [m.to for m in email.sent] == ["cb900@xa.example"]
    with session_scope(engine) as session:
        waiting = session.execute(
            select(col(Message.status)).where(col(Message.priority) == outbox.NORMAL)
        ).scalars()
        assert set(waiting) == {"pending"}


def test_it_enqueues_a_key_once(planned: int, engine: Engine, clock: FixedClock) -> None:
    who = _urgent_official(engine, clock, key="urgent:same")
    with session_scope(engine) as session:
        again = outbox.enqueue_urgent(
            session,
            idempotency_key="urgent:same",
            campaign="rotation",
            kind="rotation_overdue",
            official_id=who,
            now=clock.now(),
            today=clock.now().date(),
        )
    assert again is False
    assert len(_urgent_ids(engine)) == 1
