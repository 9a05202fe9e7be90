"""The deliver job: a Deliverer on the scheduler's tick, woken at once for an urgent message."""

import asyncio
from datetime import UTC, datetime

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.schedulers.base import BaseScheduler

from hygiene.bootstrap import Deps
from hygiene.channels.base import Channel
from hygiene.clock import Clock
from hygiene.outbox.delivery import Deliverer, DeliveryReport
from hygiene.outbox.health import DeliveryHealth
from hygiene.restore import notice as restore

DELIVER_JOB = "deliver"


def build_deliverer(
    deps: Deps,
    channels: dict[str, Channel],
    worker: str,
    *,
    clock: Clock | None = None,
    health: DeliveryHealth | None = None,
) -> Deliverer:
    return Deliverer(
        engine=deps.engine,
        settings=deps.settings,
        secret=deps.secret,
        audit_key=deps.audit_key,
        channels=channels,
        clock=clock or deps.clock,
        worker=worker,
        health=health,
        renderer=deps.renderer,
        readers=deps.readers,
        hold_restored=restore.notice,
    )


async def deliver_job(deliverer: Deliverer) -> DeliveryReport | None:
    """Deliver what is due; a failing database is reported as a condition, not raised."""
    return await deliverer.tick()


class DeliveryLoop:
    """The deliver job, woken at once by Deps.wake_delivery (an urgent message committed).

    A wake-up while the job runs makes it run again when done (its last claim may have missed
    the new row); otherwise the job is moved to now. Everything runs on the event loop (the
    Wakeup hands calls over with call_soon_threadsafe), so the flags need no lock.
    """

    def __init__(self, deliverer: Deliverer) -> None:
        self.deliverer = deliverer
        self.scheduler: BaseScheduler | None = None
        self.running = False
        self.again = False

    async def run(self) -> DeliveryReport | None:
        self.running = True
        try:
            while True:
                self.again = False
                report = await self.deliverer.tick()
                if not self.again:
                    return report
        except asyncio.CancelledError:
            # Only the scheduler's shutdown (SIGINT/SIGTERM) cancels a tick: the end of the
            # process, not a failure to log with a traceback. Rows it had claimed go back to
            # pending when their lease runs out, as after a crash.
            return None
        finally:
            self.running = False

    def wake(self) -> None:
        if self.running:
            self.again = True
        elif self.scheduler is not None and self.scheduler.get_job(DELIVER_JOB) is not None:
            self.scheduler.modify_job(DELIVER_JOB, next_run_time=datetime.now(UTC))


def listen_for_wakeups(scheduler: AsyncIOScheduler, deps: Deps) -> None:
    """From now on, deps.wake_delivery() runs the scheduler's deliver job at once (call it on
    the running event loop, after start())."""
    job = scheduler.get_job(DELIVER_JOB)
    loop = getattr(job.func, "__self__", None) if job is not None else None
    if not isinstance(loop, DeliveryLoop):
        return
    loop.scheduler = scheduler
    deps.wakeup.listen(asyncio.get_running_loop(), loop.wake)
