"""The delivery loop: claim due messages in batches, render them, send them through the
official's channels and record the outcome of every attempt.

Per batch (sizes: `delivery.batch_size` claimed, `delivery.concurrency` in flight):

    batch.claim   one transaction: expired leases released, rows leased, the rows they render
                  from read set-based, rate-limit budgets read
    render        templates, ack codes (sending.BatchRun.render)
    batch.renew   the lease runs again in full; rendered texts stored
    send          up to `concurrency` sends in flight (the SMTP pool's connections all used)
    batch.record  one transaction: executemany outcomes and attempts, one audit append_many

The database phases and rendering run in worker threads (asyncio.to_thread), so the event loop,
which also serves the web app in `hygiene serve`, never waits on them. drain() overlaps batches:
while one batch sends, the next is claimed, rendered and renewed, so the pool does not idle
through them. Its sends start only after this batch's sends are done (in-flight bounds hold),
and each send checks the lease first (sending.py: renewed again when less than half is left);
this batch's record waits for that claim to commit, and the next batch's budgets are then
counted down by this batch's sends, which its claim could not see.
Channels come in as a ``dict[str, Channel]`` (bootstrap builds the real ones; tests pass memory
and file channels). Rules applied here, at delivery time: the send window (checked at each
claim), working days and holidays (the urgent lane ignores them); per-channel rate limits per
minute and per day (counted from delivery_attempt once per batch, then counted down locally, so
two instances may overshoot by one batch); redirect mode; fallback to the next preferred
channel when one is down.

When the database fails (a full disk, a lost connection), tick() keeps the outcomes of messages
already sent and writes them on a later tick, returns the rows it had not sent at once (those of
a batch claimed ahead too), and reports one condition (health.DeliveryHealth) instead of a
traceback per tick.
"""

import asyncio
import logging
import random
from collections.abc import Awaitable, Collection
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy import Engine

from hygiene.channels.base import Channel
from hygiene.clock import Clock
from hygiene.messages.render import Renderer
from hygiene.outbox import batch, clockcheck, rules
from hygiene.outbox.batch import Outcome
from hygiene.outbox.health import DeliveryHealth, is_database_failure
from hygiene.outbox.outcomes import Outcomes
from hygiene.outbox.readers import Readers
from hygiene.outbox.sending import BatchRun
from hygiene.outbox.streaks import DownStreaks
from hygiene.outbox.tally import DeliveryReport, Ready, add
from hygiene.settings import Settings

__all__ = ["Deliverer", "DeliveryReport", "RestoreCheck"]
log = logging.getLogger(__name__)


class RestoreCheck(Protocol):
    """Holds what waited at backup time when the database is a restored one (`restore.notice`,
    passed in by the entry points: restore changes outbox rows, so the outbox imports it not)."""

    def __call__(
        self, engine: Engine, *, settings: Settings, now: datetime, audit_key: bytes, actor: str
    ) -> object: ...


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
        self.downs = DownStreaks(delivery=settings.delivery, rng=self.rng, health=self.health)
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
        (hygiene.restore). While a batch sends, the next one is claimed and rendered."""
        await asyncio.to_thread(
            self.hold_restored,
            self.engine,
            settings=self.settings,
            now=self.clock.now(),
            audit_key=self.audit_key,
            actor=f"worker:{self.worker}",
        )
        total = DeliveryReport()
        await self._settle_leftovers(total)
        ready, sent = await self._prepare(), 0
        while isinstance(ready, Ready):
            sent += 1
            ahead = self._claim_ahead(ready) if sent < max_batches else None
            try:
                await self._deliver(ready, before_record=ahead[1].wait() if ahead else None)
            except Exception:
                if ahead is not None:
                    await self._abandon(ahead[0])
                raise
            except BaseException:  # cancelled: leases of a batch claimed ahead run out
                if ahead is not None:
                    ahead[0].cancel()
                raise
            add(total, ready.report)
            if ahead is None:
                return total
            following = await ahead[0]
            if isinstance(following, Ready):  # claimed before this batch's sends were recorded
                following.run.spend(ready.run.state.ok)
            else:  # nothing was due then; leases of this batch may have run out since
                add(total, following)
                following = await self._prepare()
            ready = following
        add(total, ready)
        return total

    async def run_once(self) -> DeliveryReport:
        """One batch: release expired leases, claim, render, send, record. Outside the send
        window only urgent messages are claimed (sign-in codes, incident notices)."""
        report = DeliveryReport()
        await self._settle_leftovers(report)
        ready = await self._prepare()
        if isinstance(ready, Ready):
            await self._deliver(ready)
        add(report, ready if isinstance(ready, DeliveryReport) else ready.report)
        return report

    def _claim_ahead(
        self, ready: Ready
    ) -> tuple["asyncio.Task[Ready | DeliveryReport]", asyncio.Event]:
        """The next batch, claimed and rendered while `ready` sends; the event: claim done."""
        claimed = asyncio.Event()
        sending = [m.id for m in ready.run.claimed.messages if m.id is not None]
        return asyncio.create_task(self._prepare(claimed, sending)), claimed

    async def _prepare(
        self, claimed: asyncio.Event | None = None, sending: Collection[int] = ()
    ) -> Ready | DeliveryReport:
        """Claim a batch and render it (worker threads); `claimed` is set once the claim is
        committed (or failed); `sending`: the batch still in flight, never claimed again."""
        now, delivery = self.clock.now(), self.settings.delivery
        outside = not rules.in_window(now, delivery, self.settings.zone)
        report = DeliveryReport(outside_window=outside)
        try:
            batch_ = await asyncio.to_thread(
                batch.claim, self.engine, settings=self.settings, channels=list(self.channels),
                now=now, owner=self.worker, readers=self.readers, urgent_only=outside,
                exclude=sending,
            )  # fmt: skip
        finally:
            if claimed is not None:
                claimed.set()
        report.released, report.claimed = batch_.released, len(batch_.messages)
        if not batch_.messages:
            return report
        run = BatchRun(
            claimed=batch_, settings=self.settings, secret=self.secret, channels=self.channels,
            clock=self.clock, outcomes=self.outcomes, was_down=(), down_delay=self.downs.delay,
            renderer=self.renderer,
        )  # fmt: skip
        try:
            prepared, early = await asyncio.to_thread(run.render)
            renewed_at = self.clock.now()
            held = await self._renew({p.pk for p in prepared}, [p.rendered for p in prepared])
        except Exception:
            self._to_release |= {m.id for m in batch_.messages if m.id is not None}
            await self._release_quietly()
            raise
        return Ready(report, run, prepared, early, held, renewed_at)

    async def _deliver(
        self, ready: Ready, *, before_record: Awaitable[object] | None = None
    ) -> None:
        """Send and record one rendered batch; `before_record`: what recording waits for (the
        next batch's claim, so that its rate-limit budgets do not count these sends)."""
        run, prepared, report = ready.run, ready.prepared, ready.report
        run.was_down = set(self.downs.streak)
        outcomes = ready.early + await run.send(
            prepared, held=ready.held, renewed_at=ready.renewed_at, renew=self._renew
        )
        report.count("lost", sum(1 for p in prepared if p.lost))
        self.downs.note(run.state)
        try:
            if before_record is not None:
                await before_record
            kept = await self._record(outcomes)
        except Exception:
            self._unrecorded = outcomes
            self._to_release |= {p.pk for p in prepared if p.lost}
            raise
        for outcome in outcomes:
            report.count(outcome.result if outcome.message.id in kept else "lost")

    async def _abandon(self, ahead: "asyncio.Task[Ready | DeliveryReport]") -> None:
        """The batch claimed ahead when this one failed: its rows go back, unsent."""
        try:
            following = await ahead
        except Exception:  # its claim or render failed too: it released what it had
            return
        if isinstance(following, Ready):
            self._to_release |= {m.id for m in following.run.claimed.messages if m.id is not None}
        await self._release_quietly()

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
