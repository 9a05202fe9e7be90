"""Leased claims: disjoint between workers, returned when the lease runs out, guarded."""

import asyncio
from collections import Counter
from datetime import timedelta

from sqlalchemy import Engine, select
from sqlmodel import Session, col

from hygiene.channels.base import OutgoingMessage, Result
from hygiene.channels.memory import MemoryChannel
from hygiene.clock import FixedClock
from hygiene.db import session_scope
from hygiene.outbox import service as outbox
from hygiene.outbox.delivery import Deliverer
from hygiene.outbox.models import Message
from hygiene.settings import Settings
from tests.outbox.conftest import MakeDeliverer, expire_leases

LEASE = timedelta(minutes=5)


def _claim(engine: Engine, clock: FixedClock, owner: str, limit: int = 10) -> list[int]:
    with session_scope(engine) as session:
        return outbox.claim(session, now=clock.now(), owner=owner, limit=limit, lease=LEASE)


def test_it_gives_two_workers_disjoint_rows(
    planned: int, engine: Engine, clock: FixedClock
) -> None:
    first = _claim(engine, clock, "a", limit=2)
    second = _claim(engine, clock, "b")
    assert len(first) == 2
    assert len(second) == 1
    assert not set(first) & set(second)


def test_it_does_not_claim_a_leased_row_again(
    planned: int, engine: Engine, clock: FixedClock
) -> None:
    _claim(engine, clock, "a")
    assert _claim(engine, clock, "b") == []


def test_it_returns_a_row_whose_lease_ran_out(
    planned: int, engine: Engine, clock: FixedClock
) -> None:
    _claim(engine, clock, "a")
    expire_leases(engine, LEASE + timedelta(seconds=1))
    with session_scope(engine) as session:
        released = outbox.release_expired(session, now=clock.now())
    assert len(released) == planned
    assert len(_claim(engine, clock, "b")) == planned


def test_it_keeps_a_lost_lease_from_overwriting_the_row(
    planned: int, engine: Engine, clock: FixedClock
) -> None:
    [row, *_] = _claim(engine, clock, "a")
    expire_leases(engine, LEASE + timedelta(seconds=1))
    with session_scope(engine) as session:
        outbox.release_expired(session, now=clock.now())
    _claim(engine, clock, "b")
    with session_scope(engine) as session:
        held = outbox.finish(session, pk=row, owner="a", status="sent", now=clock.now())
    assert not held


def test_it_resends_a_crashed_workers_message_with_the_same_message_id(
    planned: int,
    engine: Engine,
    clock: FixedClock,
    make_deliverer: MakeDeliverer,
    email: MemoryChannel,
) -> None:
    _claim(engine, clock, "crashed")  # claimed, never finished
    expire_leases(engine, timedelta(seconds=300 + 1))  # settings.delivery.lease_seconds
    asyncio.run(make_deliverer().drain())
    with Session(engine) as session:
        rows = session.execute(select(Message).order_by(col(Message.id))).scalars().all()
    assert {r.status for r in rows} == {"sent"}
    assert {m.message_id for m in email.sent} == {r.message_id for r in rows}


def test_it_retries_a_failed_message_on_request(
    planned: int, engine: Engine, clock: FixedClock
) -> None:
    [row, *_] = _claim(engine, clock, "a")
    with session_scope(engine) as session:
        outbox.finish(session, pk=row, owner="a", status="failed", now=clock.now())
    with session_scope(engine) as session:
        assert outbox.retry(session, message_id=row, now=clock.now())
    assert row in _claim(engine, clock, "b")


class SlowThenBusy(MemoryChannel):
    """The first send outlasts the batch's lease; during the next send, another instance runs."""

    def __init__(
        self, clock: FixedClock, lease: timedelta, other: Deliverer, engine: Engine
    ) -> None:
        super().__init__("email")
        self.clock, self.lease, self.other, self.engine = clock, lease, other, engine

    async def send(self, message: OutgoingMessage) -> Result:
        if len(self.sent) == 0:
            self.clock.advance(self.lease + timedelta(seconds=1))
            expire_leases(self.engine, self.lease + timedelta(seconds=1))
        elif len(self.sent) == 1:
            await self.other.run_once()
        return await super().send(message)


def test_no_send_starts_after_the_lease_ran_out(
    planned: int,
    make_deliverer: MakeDeliverer,
    settings: Settings,
    clock: FixedClock,
    engine: Engine,
) -> None:
    serial = settings.model_copy(
        update={"delivery": settings.delivery.model_copy(update={"concurrency": 1})}
    )
    lease = timedelta(seconds=settings.delivery.lease_seconds)
    second = MemoryChannel("email")
    other = make_deliverer(channels={"email": second}, settings_=serial, worker="w2")
    first = SlowThenBusy(clock, lease, other, engine)
    asyncio.run(make_deliverer(channels={"email": first}, settings_=serial, worker="w1").drain())
    keys = Counter(m.idempotency_key for m in first.sent + second.sent)
    assert len(keys) == planned
    assert [key for key, n in keys.items() if n > 1] == []
