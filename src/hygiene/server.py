"""One process: the web app (uvicorn), the scheduler's ticks and delivery, on one event loop.

Uvicorn owns SIGINT/SIGTERM when the web runs (it stops gracefully, then we stop the scheduler);
without the web, our own handlers do. The scheduler reports each run into Runtime through a job
listener, which is what /healthz and /metrics read.
"""

import asyncio
import logging
import signal
import threading
import time
from typing import Any

import uvicorn
from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED, EVENT_JOB_SUBMITTED, JobEvent
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from fastapi import FastAPI

from hygiene import jobs, logs
from hygiene.bootstrap import Deps
from hygiene.channels.base import Channel, close_all
from hygiene.runtime import Runtime
from hygiene.web.app import create_app

log = logging.getLogger(__name__)


def _listen(scheduler: Any, deps: Deps, runtime: Runtime) -> None:
    started: dict[str, float] = {}

    def on_event(event: JobEvent) -> None:
        if event.code == EVENT_JOB_SUBMITTED:
            started[event.job_id] = time.monotonic()
            return
        now = deps.clock.now()
        if event.job_id == jobs.DELIVER_JOB:
            runtime.last_deliver_at = now
        elif event.job_id.startswith("plan:"):
            runtime.last_plan_at = now
            runtime.last_plan_seconds = time.monotonic() - started.pop(
                event.job_id, time.monotonic()
            )
        if event.code == EVENT_JOB_ERROR:
            log.error(
                "job %s failed: %s", event.job_id, type(getattr(event, "exception", None)).__name__
            )

    scheduler.add_listener(on_event, EVENT_JOB_SUBMITTED | EVENT_JOB_EXECUTED | EVENT_JOB_ERROR)


async def run(
    deps: Deps,
    channels: dict[str, Channel],
    *,
    host: str = "127.0.0.1",
    port: int = 8080,
    web: bool = True,
    scheduler: bool = True,
    forwarded_allow_ips: str = "127.0.0.1",
) -> Runtime:
    """Run until SIGINT/SIGTERM. Returns the runtime (for tests and the exit message)."""
    logs.configure_logging(deps.settings, service_secret=deps.secret)
    runtime = Runtime(
        started_at=deps.clock.now(), channels=sorted(channels), scheduler_enabled=scheduler
    )
    jobs.tally_job(deps)
    ticker = _start_scheduler(deps, channels, runtime) if scheduler else None
    try:
        if web:
            app = create_app(deps, runtime=runtime)
            await _serve(app, host=host, port=port, forwarded_allow_ips=forwarded_allow_ips)
        else:
            await _wait_for_signal()
    finally:
        if ticker is not None:
            deps.wakeup.stop()
            ticker.shutdown(wait=False)
            runtime.scheduler_running = False
        await close_all(channels)
    return runtime


def _start_scheduler(
    deps: Deps, channels: dict[str, Channel], runtime: Runtime
) -> AsyncIOScheduler:
    """The scheduler, started, reporting its runs into `runtime` and woken by urgent messages."""
    ticker = jobs.build_scheduler(deps, channels, health=runtime.delivery)
    _listen(ticker, deps, runtime)
    ticker.start()
    jobs.listen_for_wakeups(ticker, deps)
    runtime.scheduler_running = True
    return ticker


async def _serve(app: FastAPI, *, host: str, port: int, forwarded_allow_ips: str) -> None:
    """Serve the web app with uvicorn until it catches SIGINT/SIGTERM and stops gracefully."""
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        proxy_headers=True,
        forwarded_allow_ips=forwarded_allow_ips,
        log_config=None,
        access_log=False,
    )
    # uvicorn re-raises the signal it caught once it has stopped; a no-op handler makes
    # that harmless, so run() still shuts the scheduler and channels down cleanly.
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: None)
    await uvicorn.Server(config).serve()


async def _wait_for_signal() -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
