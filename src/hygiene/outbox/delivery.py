"""The delivery loop: claim due messages, render them, send them through the official's channels
and record the outcome of every attempt.

Channels come in as a ``dict[str, Channel]`` (the registry builds the real ones; tests pass
memory and file channels). Rules applied here, at delivery time: the send window, working days
and holidays; per-channel rate limits per minute and per day (counted from delivery_attempt, so
shared by every instance, though two instances may overshoot by one batch); redirect mode;
fallback to the next preferred channel when one is down.

Database calls are synchronous and short; only channel sends are awaited. Up to
`delivery.concurrency` messages of a batch are in flight at once (so the SMTP pool's connections
are all used); a rate limit may then overshoot by that many minus one. Run more instances for more
throughput: claims never overlap.
"""

import asyncio
import logging
import random
from dataclasses import dataclass, field, replace
from datetime import timedelta

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from hygiene.channels.base import (
    Channel,
    ChannelDown,
    ChannelError,
    OutgoingMessage,
    PermanentError,
)
from hygiene.clock import Clock
from hygiene.db import session_scope
from hygiene.inventory.models import Official
from hygiene.outbox import compose, limits, recipients, routing, rules
from hygiene.outbox import service as outbox
from hygiene.outbox.models import Message
from hygiene.outbox.outcomes import Outcomes
from hygiene.settings import Settings

log = logging.getLogger(__name__)


@dataclass
class DeliveryReport:
    outside_window: bool = False
    released: int = 0
    claimed: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)

    def count(self, outcome: str) -> None:
        self.outcomes[outcome] = self.outcomes.get(outcome, 0) + 1


@dataclass(frozen=True)
class Prepared:
    message: Message
    official: Official
    outgoing: OutgoingMessage


class Deliverer:
    def __init__(
        self,
        *,
        engine: Engine,
        settings: Settings,
        secret: bytes,
        audit_key: bytes,
        channels: dict[str, Channel],
        clock: Clock,
        worker: str,
        rng: random.Random | None = None,
    ) -> None:
        self.engine, self.settings, self.secret = engine, settings, secret
        self.audit_key, self.channels, self.clock = audit_key, channels, clock
        self.worker = worker
        self.down: dict[str, str] = {}  # channel → why, for this batch
        self.outcomes = Outcomes(
            engine=engine,
            settings=settings,
            audit_key=audit_key,
            clock=clock,
            worker=worker,
            rng=rng or random.Random(),  # noqa: S311  (jitter, not security)
        )

    async def run_once(self) -> DeliveryReport:
        """One batch: release expired leases, claim, send each claimed message."""
        now, delivery = self.clock.now(), self.settings.delivery
        if not rules.in_window(now, delivery, self.settings.zone):
            return DeliveryReport(outside_window=True)
        with session_scope(self.engine) as session:
            released = outbox.release_expired(session, now=now)
            ids = outbox.claim(
                session,
                now=now,
                owner=self.worker,
                limit=delivery.batch_size,
                lease=timedelta(seconds=delivery.lease_seconds),
            )
        report = DeliveryReport(released=len(released), claimed=len(ids))
        self.down = {}
        gate = asyncio.Semaphore(delivery.concurrency)

        async def one(message_id: int) -> str:
            async with gate:
                return await self._deliver(message_id)

        outcomes = await asyncio.gather(*(one(i) for i in ids), return_exceptions=True)
        errors = [o for o in outcomes if isinstance(o, BaseException)]
        for outcome in outcomes:
            report.count("error" if isinstance(outcome, BaseException) else outcome)
        if errors:  # e.g. the database went away: those rows wait for their lease to run out
            raise errors[0]
        return report

    async def drain(self, *, max_batches: int = 10_000) -> DeliveryReport:
        """Batches until nothing is due (or outside the window)."""
        total = DeliveryReport()
        for _ in range(max_batches):
            report = await self.run_once()
            total.outside_window = report.outside_window
            total.released += report.released
            total.claimed += report.claimed
            for outcome, n in report.outcomes.items():
                total.outcomes[outcome] = total.outcomes.get(outcome, 0) + n
            if report.outside_window or report.claimed == 0:
                break
        return total

    async def _deliver(self, message_id: int) -> str:
        try:
            prepared = self._prepare(message_id)
        except SQLAlchemyError:  # the database, not the message: the row waits out its lease
            raise
        except Exception as exc:  # a broken template must fail the message, not the loop
            log.exception("cannot render message %s", message_id)
            return self.outcomes.unrenderable(message_id, repr(exc))
        if prepared is None:
            return "lost"
        if not prepared.official.active:
            return self.outcomes.fail(prepared.message, "official deactivated", permanent=True)
        possible = routing.routes(
            prepared.official,
            list(self.channels),
            redirect_to=self.settings.delivery.redirect_to,
        )
        if not possible:
            return self.outcomes.no_route(prepared.message)
        limited = self._rate_limited()
        routes = [r for r in possible if r.channel not in limited and r.channel not in self.down]
        if not routes and any(r.channel in limited for r in possible):
            return self.outcomes.deferred(prepared.message)
        if not routes:  # down earlier in this batch: retry later, never fail for good
            down = "; ".join(f"{r.channel}: {self.down[r.channel]}" for r in possible)
            reason = f"every channel is down: {down}"
            return self.outcomes.fail(prepared.message, reason, permanent=False)
        last_error = ""
        for route in routes:
            outcome = await self._try(prepared, route)
            if outcome is not None:
                return outcome
            last_error = self.down.get(route.channel, "")
        reason = f"every channel is down: {last_error}"
        return self.outcomes.fail(prepared.message, reason, permanent=False)

    def _prepare(self, message_id: int) -> Prepared | None:
        with session_scope(self.engine) as session:
            message = session.get(Message, message_id)
            official = recipients.recipient(session, message) if message else None
            if message is None or official is None:
                return None
            composed = compose.compose(
                session, message, official, settings=self.settings, secret=self.secret
            )
            held = outbox.renew_before_send(
                session,
                pk=message_id,
                owner=self.worker,
                now=self.clock.now(),
                lease=timedelta(seconds=self.settings.delivery.lease_seconds),
                subject=composed.rendered.subject[:300],
                body=composed.rendered.text,
                message_id=composed.message_id,
                ack_hmac=composed.ack_hmac,
                ack_expires_at=compose.expiry_instant(composed, self.settings),
            )
            if not held:
                return None
            return Prepared(message, official, compose.outgoing(message, official, composed))

    async def _try(self, prepared: Prepared, route: routing.Route) -> str | None:
        """Send on one route; None when the channel is down (try the next one)."""
        channel = self.channels[route.channel]
        started = self.clock.now()
        outgoing = replace(prepared.outgoing, to=route.to)
        try:
            result = await channel.send(outgoing)
        except ChannelDown as exc:
            self.down[route.channel] = exc.reason
            self.outcomes.attempt(prepared.message, route, started, "down", exc.reason)
            log.warning("channel %s is down: %s", route.channel, exc.reason)
            return None
        except ChannelError as exc:
            self.outcomes.attempt(prepared.message, route, started, _kind(exc), exc.reason)
            permanent = isinstance(exc, PermanentError)
            return self.outcomes.fail(
                prepared.message, exc.reason, permanent=permanent, channel=route.channel
            )
        except Exception as exc:  # a bug in a channel must not lose the message
            log.exception("channel %s raised", route.channel)
            self.outcomes.attempt(prepared.message, route, started, "transient", repr(exc))
            return self.outcomes.fail(
                prepared.message, repr(exc), permanent=False, channel=route.channel
            )
        return self.outcomes.sent(prepared.message, route, started, result)

    def _rate_limited(self) -> set[str]:
        with session_scope(self.engine) as session:
            return limits.rate_limited(
                session,
                channels=list(self.channels),
                delivery=self.settings.delivery,
                zone=self.settings.zone,
                now=self.clock.now(),
            )


def _kind(exc: ChannelError) -> str:
    return "permanent" if isinstance(exc, PermanentError) else "transient"
