"""The delivery loop: claim due messages in batches, render them, send them through the
official's channels and record the outcome of every attempt.

Per batch (sizes: `delivery.batch_size` claimed, `delivery.concurrency` in flight):

    batch.claim   one transaction: expired leases released, rows leased, the rows they render
                  from read set-based, rate-limit budgets read
    render        templates, ack codes (sending.BatchRun.render)
    batch.renew   the lease runs again in full; rendered texts stored
    send          up to `concurrency` sends in flight (the SMTP pool's connections all used)
    batch.record  one transaction: executemany outcomes and attempts, one audit append_many

The database phases run in a worker thread (asyncio.to_thread), so the event loop, which also
serves the web app in `hygiene serve`, never waits on the database, and within a batch no send is
in flight while the database works. Channels come in as a ``dict[str, Channel]`` (bootstrap
builds the real ones; tests pass memory and file channels). Rules applied here, at delivery time:
the send window, working days and holidays (the urgent lane ignores them); per-channel rate
limits per minute and per day (counted from delivery_attempt once per batch, then counted down
locally, so two instances may overshoot by one batch); redirect mode; fallback to the next
preferred channel when one is down.

When the database fails (a full disk, a lost connection), tick() keeps the outcomes of messages
already sent and writes them on a later tick, returns the rows it had not sent at once, and
reports one condition (health.DeliveryHealth) instead of a traceback per tick.
"""

import asyncio
import logging
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy import Engine

from hygiene.channels.base import Channel
from hygiene.clock import Clock
from hygiene.messages.render import Renderer
from hygiene.outbox import batch, clockcheck, rules
from hygiene.outbox.batch import Claimed, Outcome
from hygiene.outbox.health import DeliveryHealth, bilingual, is_database_failure
from hygiene.outbox.outcomes import Outcomes
from hygiene.outbox.readers import Readers
from hygiene.outbox.sending import BatchRun
from hygiene.settings import Settings

log = logging.getLogger(__name__)
DOWN_RETRY_CAP = timedelta(minutes=15)  # a down channel is tried again at least this often


class RestoreCheck(Protocol):
    """Holds what waited at backup time when the database is a restored one (`restore.notice`,
    passed in by the entry points: restore changes outbox rows, so the outbox imports it not)."""

    def __call__(
        self, engine: Engine, *, settings: Settings, now: datetime, audit_key: bytes, actor: str
    ) -> object: ...


@dataclass
class DeliveryReport:
    outside_window: bool = False
    released: int = 0
    claimed: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)

    def count(self, outcome: str, n: int = 1) -> None:
        if n:
            self.outcomes[outcome] = self.outcomes.get(outcome, 0) + n


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
        renderer: Renderer,
        readers: Readers,
        hold_restored: RestoreCheck,
        rng: random.Random | None = None,
        health: DeliveryHealth | None = None,
    ) -> None:
        """`renderer` and `readers`: Deps.renderer and Deps.readers (hygiene.bootstrap);
        `hold_restored`: hygiene.restore.notice.notice."""
        self.engine, self.settings, self.secret = engine, settings, secret
        self.renderer, self.readers, self.hold_restored = renderer, readers, hold_restored
        self.audit_key, self.channels, self.clock = audit_key, channels, clock
        self.worker = worker
        self.rng = rng or random.Random()  # noqa: S311  (jitter, not security)
        self.outcomes = Outcomes(settings=settings, worker=worker, rng=self.rng)
        self.health = health or DeliveryHealth()
        self.down_streak: dict[str, int] = {}  # channel → consecutive batches it was down
        self._unrecorded: list[Outcome] = []  # sent, but the database refused the outcome
        self._to_release: set[int] = set()  # held, not sent, not yet given back

    async def tick(self) -> DeliveryReport | None:
        """The scheduler's job: compare clocks, deliver what is due; a database failure becomes
        a reported condition (None), not an exception per tick."""
        try:
            skew = await asyncio.to_thread(clockcheck.skew_seconds, self.engine, self.clock)
            self.health.clock_measured(skew, self.settings.delivery.max_clock_skew_seconds)
            report = await self.drain()
        except Exception as exc:
            if not is_database_failure(exc):
                raise
            self.health.failed(exc, self.clock.now())
            return None
        self.health.recovered(self.clock.now())
        return report

    async def drain(self, *, max_batches: int = 10_000) -> DeliveryReport:
        """Batches until nothing is due (outside the window: nothing urgent). First, on a
        restored database, what was waiting at backup time is held instead of sent
        (hygiene.restore)."""
        await asyncio.to_thread(
            self.hold_restored,
            self.engine,
            settings=self.settings,
            now=self.clock.now(),
            audit_key=self.audit_key,
            actor=f"worker:{self.worker}",
        )
        total = DeliveryReport()
        for _ in range(max_batches):
            report = await self.run_once()
            total.outside_window = report.outside_window
            total.released += report.released
            total.claimed += report.claimed
            for outcome, n in report.outcomes.items():
                total.count(outcome, n)
            if report.claimed == 0:
                break
        return total

    async def run_once(self) -> DeliveryReport:
        """One batch: release expired leases, claim, render, send, record. Outside the send
        window only urgent messages are claimed (sign-in codes, incident notices)."""
        now, delivery = self.clock.now(), self.settings.delivery
        outside = not rules.in_window(now, delivery, self.settings.zone)
        report = DeliveryReport(outside_window=outside)
        await self._settle_leftovers(report)
        claimed = await asyncio.to_thread(
            batch.claim,
            self.engine,
            settings=self.settings,
            channels=list(self.channels),
            now=now,
            owner=self.worker,
            readers=self.readers,
            urgent_only=outside,
        )
        report.released, report.claimed = claimed.released, len(claimed.messages)
        if claimed.messages:
            await self._deliver(claimed, report)
        return report

    async def _deliver(self, claimed: Claimed, report: DeliveryReport) -> None:
        run = BatchRun(
            claimed=claimed,
            settings=self.settings,
            secret=self.secret,
            channels=self.channels,
            clock=self.clock,
            outcomes=self.outcomes,
            was_down=set(self.down_streak),
            down_delay=self._down_delay,
            renderer=self.renderer,
        )
        ids = {m.id for m in claimed.messages if m.id is not None}
        try:
            prepared, outcomes = await asyncio.to_thread(run.render)
            renewed_at = self.clock.now()
            held = await self._renew({p.pk for p in prepared}, [p.rendered for p in prepared])
        except Exception:
            self._to_release |= ids
            await self._release_quietly()
            raise
        outcomes += await run.send(prepared, held=held, renewed_at=renewed_at, renew=self._renew)
        report.count("lost", sum(1 for p in prepared if p.lost))
        self._note_channels(run)
        try:
            kept = await self._record(outcomes)
        except Exception:
            self._unrecorded = outcomes
            self._to_release |= {p.pk for p in prepared if p.lost}
            raise
        for outcome in outcomes:
            report.count(outcome.result if outcome.message.id in kept else "lost")

    async def _renew(
        self, ids: set[int], rendered: list[dict[str, object]] | None = None
    ) -> set[int]:
        return await asyncio.to_thread(
            batch.renew,
            self.engine,
            owner=self.worker,
            ids=ids,
            now=self.clock.now(),
            lease=timedelta(seconds=self.settings.delivery.lease_seconds),
            rendered=rendered or [],
        )

    async def _record(self, outcomes: list[Outcome]) -> set[int]:
        return await asyncio.to_thread(
            batch.record,
            self.engine,
            owner=self.worker,
            outcomes=outcomes,
            audit_key=self.audit_key,
            now=self.clock.now(),
        )

    async def _settle_leftovers(self, report: DeliveryReport) -> None:
        """What a failed batch left: outcomes of sent messages first, then unsent rows."""
        if self._unrecorded:
            kept = await self._record(self._unrecorded)
            for outcome in self._unrecorded:
                report.count(outcome.result if outcome.message.id in kept else "lost")
            self._unrecorded = []
        if self._to_release:
            await asyncio.to_thread(
                batch.release,
                self.engine,
                owner=self.worker,
                ids=self._to_release,
                now=self.clock.now(),
            )
            self._to_release = set()

    async def _release_quietly(self) -> None:
        try:
            await asyncio.to_thread(
                batch.release,
                self.engine,
                owner=self.worker,
                ids=self._to_release,
                now=self.clock.now(),
            )
            self._to_release = set()
        except Exception as exc:  # the database is failing: the next tick tries again
            if not is_database_failure(exc):
                raise

    def _note_channels(self, run: BatchRun) -> None:
        down, used = run.state.down, set(run.state.ok) | set(run.state.transient)
        for channel in sorted(set(down) - set(self.down_streak)):
            failures = run.state.transient[channel]
            log.warning(
                bilingual(
                    "delivery.channel.down",
                    channel=channel,
                    failures=failures,
                    reason=down[channel],
                )
            )
        for channel in sorted((set(self.down_streak) & used) - set(down)):
            log.warning(bilingual("delivery.channel.up", channel=channel))
            self.down_streak.pop(channel, None)
        for channel in down:
            self.down_streak[channel] = self.down_streak.get(channel, 0) + 1
        self.health.channels_down = {
            c: down.get(c, self.health.channels_down.get(c, "")) for c in self.down_streak
        }

    def _down_delay(self, channel: str) -> timedelta:
        streak = self.down_streak.get(channel, 0) + 1
        return min(rules.backoff(streak, self.settings.delivery, self.rng), DOWN_RETRY_CAP)
