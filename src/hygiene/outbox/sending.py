"""One claimed batch between the database phases: render every message, then send them with up
to `delivery.concurrency` in flight, and decide each outcome once the whole batch is done.

Leases. The batch's lease was renewed in full after rendering (batch.renew). A send starts
only while this worker still holds its row and at least half a lease remains on it: when less is
left, the rows not sent yet are renewed again first (one statement), and a row whose lease ran
out is skipped ("lost": another instance may have it). So a message goes out twice only if one
send outlasts half a lease.

A channel is *down* for the batch when it raises ChannelDown (auth, TLS, sender refused), or
when every send on it failed transiently (server unreachable, 421/451 to everything) with at
least DOWN_AFTER failures, or with any failure while it was already down in the previous batch.
Its messages are then deferred without spending an attempt, so an outage of any length kills
nothing; one message failing while others go through still spends attempts and may end dead.
"""

import asyncio
import logging
from collections import Counter
from collections.abc import Awaitable, Callable, Collection
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from hygiene.channels.base import (
    Channel,
    ChannelDown,
    ChannelError,
    OutgoingMessage,
    PermanentError,
)
from hygiene.clock import Clock
from hygiene.db import row_id
from hygiene.inventory.models import Official
from hygiene.messages.render import Renderer
from hygiene.outbox import compose, routing
from hygiene.outbox.batch import Claimed, Outcome
from hygiene.outbox.models import Message
from hygiene.outbox.outcomes import Outcomes, Try
from hygiene.settings import Settings

log = logging.getLogger("hygiene.outbox.delivery")
DOWN_AFTER = 3


@dataclass
class Prepared:
    message: Message
    outgoing: OutgoingMessage
    routes: list[routing.Route]
    rendered: dict[str, Any]  # pk + batch.RENDERED_COLUMNS
    tries: list[Try] = field(default_factory=list)
    limited: bool = False  # a route was skipped because its channel reached its rate limit
    lost: bool = False

    @property
    def pk(self) -> int:
        return row_id(self.message.id)


@dataclass
class ChannelState:
    ok: Counter[str] = field(default_factory=Counter)
    transient: Counter[str] = field(default_factory=Counter)
    hard_down: dict[str, str] = field(default_factory=dict)  # raised ChannelDown
    soft_down: dict[str, str] = field(default_factory=dict)  # every send failed transiently

    @property
    def down(self) -> dict[str, str]:
        return {**self.soft_down, **self.hard_down}


class BatchRun:
    def __init__(
        self,
        *,
        claimed: Claimed,
        settings: Settings,
        secret: bytes,
        channels: dict[str, Channel],
        clock: Clock,
        outcomes: Outcomes,
        was_down: Collection[str],
        down_delay: Callable[[str], timedelta],
        renderer: Renderer,
    ) -> None:
        self.claimed, self.settings, self.secret = claimed, settings, secret
        self.channels, self.clock, self.outcomes = channels, clock, outcomes
        self.was_down, self.down_delay = set(was_down), down_delay
        self.renderer = renderer
        self.state = ChannelState()
        self.budgets = dict(claimed.budgets)
        self.held: set[int] = set()
        self.deadline: datetime = clock.now()
        self.unsent: set[int] = set()
        self._renewing = asyncio.Lock()

    def spend(self, sent: Counter[str]) -> None:
        """Count the sends of a batch whose attempts the claim of this one could not see."""
        for channel, n in sent.items():
            if channel in self.budgets:
                self.budgets[channel] = max(0, self.budgets[channel] - n)

    # --- render (run in a worker thread: CPU only, no database) ----------------------------

    def render(self) -> tuple[list[Prepared], list[Outcome]]:
        prepared: list[Prepared] = []
        early: list[Outcome] = []
        for message in self.claimed.messages:
            official = self.claimed.lookup.recipient(message)
            if official is None:  # the recipient was removed meanwhile: nobody to send to
                now = self.clock.now()
                reason = "recipient no longer exists"
                early.append(self.outcomes.fail(message, [], now, reason, permanent=True))
                continue
            result = self._prepare(message, official)
            if isinstance(result, Outcome):
                early.append(result)
            else:
                prepared.append(result)
        return prepared, early

    def _prepare(self, message: Message, official: Official) -> Prepared | Outcome:
        now = self.clock.now()
        if not official.active:
            return self.outcomes.fail(message, [], now, "official deactivated", permanent=True)
        routes = routing.routes(
            official, list(self.channels), redirect_to=self.settings.delivery.redirect_to
        )
        try:
            composed = compose.compose_from(
                self.claimed.lookup,
                message,
                official,
                settings=self.settings,
                secret=self.secret,
                renderer=self.renderer,
                sms=any(route.channel not in routing.EMAIL_CHANNELS for route in routes),
                html=any(route.channel not in routing.PHONE_CHANNELS for route in routes),
            )
        except Exception as exc:  # a broken template must fail the message, not the batch
            log.exception("cannot render message %s", message.id)
            tries = [Try(None, now, now, "permanent", f"render: {exc!r}")]
            return self.outcomes.fail(message, tries, now, f"render: {exc!r}", permanent=True)
        if not routes:
            tries = [Try(None, now, now, "no_channel", "no channel or address")]
            reason = "no configured channel can reach this official"
            return self.outcomes.fail(message, tries, now, reason, permanent=True)
        rendered = {
            "pk": message.id,
            "subject": composed.rendered.subject[:300],
            "body": composed.stored_body,
            "message_id": composed.message_id,
            "ack_hmac": composed.ack_hmac,
            "ack_expires_at": compose.expiry_instant(composed, self.settings),
        }
        outgoing = compose.outgoing(message, official, composed)
        return Prepared(message, outgoing, routes, rendered)

    # --- send (on the event loop) ------------------------------------------------------------

    async def send(
        self,
        prepared: list[Prepared],
        *,
        held: set[int],
        renewed_at: datetime,
        renew: Callable[[set[int]], Awaitable[set[int]]],
    ) -> list[Outcome]:
        self.held, self.unsent = held, {p.pk for p in prepared}
        self.deadline = renewed_at + self._lease
        gate = asyncio.Semaphore(self.settings.delivery.concurrency)

        async def one(item: Prepared) -> None:
            async with gate:
                if await self._still_held(item.pk, renew):
                    await self._send(item)
                else:
                    item.lost = True
                self.unsent.discard(item.pk)

        await asyncio.gather(*(one(item) for item in prepared))
        return [self._decide(item) for item in prepared if not item.lost]

    @property
    def _lease(self) -> timedelta:
        return timedelta(seconds=self.settings.delivery.lease_seconds)

    async def _still_held(self, pk: int, renew: Callable[[set[int]], Awaitable[set[int]]]) -> bool:
        async with self._renewing:
            if self.clock.now() >= self.deadline - self._lease / 2:
                started = self.clock.now()
                self.held = await renew(self.unsent & self.held)
                self.deadline = started + self._lease
        return pk in self.held

    async def _send(self, item: Prepared) -> None:
        """Try the routes in order; the next one only when a channel is down or at its limit."""
        for route in item.routes:
            channel = route.channel
            if channel in self.state.down:
                continue
            if channel in self.budgets:
                if self.budgets[channel] <= 0:
                    item.limited = True
                    continue
                self.budgets[channel] -= 1
            attempt = await self._try(item.outgoing, route)
            item.tries.append(attempt)
            if attempt.kind != "sent" and channel in self.budgets:
                self.budgets[channel] += 1
            if attempt.kind != "down":
                return

    async def _try(self, outgoing: OutgoingMessage, route: routing.Route) -> Try:
        channel, started = route.channel, self.clock.now()
        try:
            result = await self.channels[channel].send(replace(outgoing, to=route.to))
        except ChannelDown as exc:
            self.state.hard_down[channel] = exc.reason
            return Try(route, started, self.clock.now(), "down", exc.reason)
        except ChannelError as exc:
            kind = "permanent" if isinstance(exc, PermanentError) else "transient"
            if kind == "transient":
                self._transient(channel, exc.reason)
            return Try(route, started, self.clock.now(), kind, exc.reason)
        except Exception as exc:  # a bug in a channel must not lose the message
            log.exception("channel %s raised", channel)
            self._transient(channel, repr(exc))
            return Try(route, started, self.clock.now(), "transient", repr(exc))
        self.state.ok[channel] += 1
        self.state.soft_down.pop(channel, None)
        return Try(route, started, self.clock.now(), "sent", result.detail, result.provider_id)

    def _transient(self, channel: str, reason: str) -> None:
        state = self.state
        state.transient[channel] += 1
        if state.ok[channel] == 0 and (
            state.transient[channel] >= DOWN_AFTER or channel in self.was_down
        ):
            state.soft_down[channel] = reason

    # --- decide (once every send of the batch is done) ---------------------------------------

    def _decide(self, item: Prepared) -> Outcome:
        now, message, tries = self.clock.now(), item.message, item.tries
        last = tries[-1] if tries else None
        down = self.state.down
        if last is not None and last.route is not None and last.kind != "down":
            channel = last.route.channel
            if last.kind == "sent":
                return self.outcomes.sent(message, tries, now)
            if last.kind == "transient" and channel in down:
                reason = f"channel down: {last.detail}"
                return self._defer(message, tries, now, channel, reason)
            permanent = last.kind == "permanent"
            return self.outcomes.fail(
                message, tries, now, last.detail, permanent=permanent, channel=channel
            )
        if item.limited and not tries:
            return self.outcomes.rate_limited(message, now)
        # Every route's channel is down (before or during this message's turn).
        named = "; ".join(f"{r.channel}: {down.get(r.channel, '?')}" for r in item.routes)
        return self._defer(
            message, tries, now, item.routes[0].channel, f"every channel is down: {named}"
        )

    def _defer(
        self, message: Message, tries: list[Try], now: datetime, channel: str, reason: str
    ) -> Outcome:
        delay = self.down_delay(channel)
        return self.outcomes.deferred(
            message, tries, now, delay=delay, reason=reason, result="deferred"
        )
