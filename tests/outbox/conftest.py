"""A small district with planned messages, and a deliverer wired to memory channels."""

from collections.abc import Callable
from datetime import date, timedelta

import pytest
from sqlalchemy import Engine, select, update
from sqlmodel import col

from hygiene.bootstrap import Deps, build_deps
from hygiene.campaigns import service as campaigns
from hygiene.channels.base import Channel
from hygiene.channels.memory import MemoryChannel
from hygiene.clock import FixedClock, as_utc
from hygiene.db import session_scope
from hygiene.outbox.delivery import Deliverer
from hygiene.outbox.models import Message
from hygiene.restore import notice as restore
from hygiene.settings import Settings
from tests import factories as f
from tests.conftest import SECRET

MakeDeliverer = Callable[..., Deliverer]


def expire_leases(engine: Engine, by: timedelta) -> None:
    """Let `by` pass on the clock leases are measured against, for the rows held now.

    Leases follow the database's clock on PostgreSQL (outbox.service), which a test cannot
    advance: moving every held lease back by `by` is the same as that much time passing.
    """
    with session_scope(engine) as session:
        held = session.execute(
            select(col(Message.id), col(Message.lease_until)).where(
                col(Message.status) == "sending", col(Message.lease_until).is_not(None)
            )
        ).all()
        if held:
            session.execute(
                update(Message), [{"id": pk, "lease_until": as_utc(t) - by} for pk, t in held]
            )


def plan_rotation(engine: Engine, settings: Settings, clock: FixedClock, key: bytes) -> int:
    with session_scope(engine) as session:
        return campaigns.plan(
            session=session,
            settings=settings,
            now=clock.now(),
            campaign="rotation",
            audit_key=key,
            actor="test",
        ).planned


@pytest.fixture
def planned(engine: Engine, settings: Settings, clock: FixedClock, audit_key: bytes) -> int:
    """Three officials, each with an overdue email account: three rotation messages."""
    with session_scope(engine) as session:
        unit = f.ident(f.unit(session))
        for n in range(3):
            who = f.ident(f.official(session, unit, f"CB00{n}", phone=f"+8491234567{n}"))
            f.account(session, who, rotated=date(2025, 11, 1))
    return plan_rotation(engine, settings, clock, audit_key)


@pytest.fixture
def email() -> MemoryChannel:
    return MemoryChannel("email")


@pytest.fixture
def sms() -> MemoryChannel:
    return MemoryChannel("sms")


@pytest.fixture
def make_deliverer(
    engine: Engine,
    settings: Settings,
    clock: FixedClock,
    audit_key: bytes,
    email: MemoryChannel,
    sms: MemoryChannel,
    deps: Deps,
) -> MakeDeliverer:
    def make(
        *,
        channels: dict[str, Channel] | None = None,
        settings_: Settings | None = None,
        worker: str = "w1",
    ) -> Deliverer:
        # Other settings (templates_dir): their own renderer, built as bootstrap builds it.
        built = deps if settings_ is None else build_deps(settings_, clock=clock, engine=engine)
        return Deliverer(
            engine=engine,
            settings=settings_ or settings,
            secret=SECRET.encode(),
            audit_key=audit_key,
            channels=channels if channels is not None else {"email": email, "sms": sms},
            clock=clock,
            worker=worker,
            renderer=built.renderer,
            readers=built.readers,
            hold_restored=restore.notice,
        )

    return make
