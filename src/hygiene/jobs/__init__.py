"""build_scheduler(deps, channels): APScheduler 3.11 ticks; the database keeps every guarantee.

One *plan* job per enabled campaign (its cron from settings.campaigns, in the configured time
zone) and one *deliver* job every settings.delivery.interval_seconds. The in-memory job store is
per process on purpose: running two instances only means two processes tick, and the database
makes that harmless (idempotency keys for planning, leased claims for delivery). coalesce=True
and max_instances=1 turn a backlog of missed ticks into one run, and a slow run never overlaps
itself. Each job is one call into a service. A *sync* job per directory source with a `cron`
reads its evidence (hygiene.sources); one that is down gets a one-off retry job.

Cron day-of-week: use names (mon-sat). APScheduler 3.x numbers days from Monday = 0, unlike cron.

The deliver job's loop, its immediate wake-up and build_deliverer are in hygiene.jobs.delivery,
and are imported from here as before.
"""

import logging
import os
import socket
import uuid
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger

from hygiene import checkpoint_mail
from hygiene.audit import checkpoints
from hygiene.bootstrap import Deps
from hygiene.campaigns import service as campaigns
from hygiene.channels.base import Channel
from hygiene.db import session_scope
from hygiene.jobs.delivery import DELIVER_JOB as DELIVER_JOB
from hygiene.jobs.delivery import DeliveryLoop as DeliveryLoop
from hygiene.jobs.delivery import build_deliverer as build_deliverer
from hygiene.jobs.delivery import deliver_job as deliver_job
from hygiene.jobs.delivery import listen_for_wakeups as listen_for_wakeups
from hygiene.outbox.health import DeliveryHealth
from hygiene.reports import snapshot, tally
from hygiene.reports.compliance import clock_at
from hygiene.sources import registry as source_registry
from hygiene.sources import service as source_sync
from hygiene.sources.base import SourceError
from hygiene.sources.service import SourceFactory

log = logging.getLogger(__name__)
SNAPSHOT_JOB = "report:snapshot"
CHECKPOINT_JOB = "audit:checkpoint"
# Given on every job too: a job added before start() shows its own options, not the defaults.
JOB_OPTIONS = {"coalesce": True, "max_instances": 1, "misfire_grace_time": 3600}


def worker_name() -> str:
    """Unique per process: leases name their owner."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


def plan_job(deps: Deps, campaign: str) -> int:
    """Plan one campaign now; returns how many messages were planned."""
    with session_scope(deps.engine) as session:
        result = campaigns.plan(
            session=session,
            settings=deps.settings,
            now=deps.clock.now(),
            campaign=campaign,
            audit_key=deps.audit_key,
            actor="scheduler",
        )
    log.info("planned %s: %d message(s)", campaign, result.planned)
    return result.planned


def snapshot_job(deps: Deps) -> snapshot.Taken:
    """Store today's compliance snapshot (replacing an earlier one of the same day)."""
    now = deps.clock.now()
    with session_scope(deps.engine) as session:
        taken = snapshot.take(
            session,
            policies=deps.settings.policies,
            at=clock_at(deps.settings, now),
            now=now,
        )
    log.info("compliance snapshot of %s: %d unit(s)", taken.day.isoformat(), taken.units)
    return taken


def tally_job(deps: Deps) -> bool:
    """Bring the tallies in step with the settings' rotation policy (at start: a policy change
    is then counted from the tallies at once, not from the next snapshot on)."""
    with session_scope(deps.engine) as session:
        rebuilt = tally.sync(
            session, policies=deps.settings.policies, at=clock_at(deps.settings, deps.clock.now())
        )
    if rebuilt:
        log.info("compliance tallies rebuilt for the rotation policy")
    return rebuilt


def checkpoint_job(deps: Deps) -> checkpoint_mail.Issued:
    """Email today's compliance-log checkpoint to the security officers, then remember it (only
    after the commit: the file never names a checkpoint whose sending was rolled back)."""
    with session_scope(deps.engine) as session:
        issued = checkpoint_mail.issue(
            session, settings=deps.settings, key=deps.audit_key, now=deps.clock.now(),
            actor="scheduler",
        )  # fmt: skip
    checkpoints.remember(deps.settings.checkpoint_path, issued.checkpoint)
    log.info("audit checkpoint #%d queued for %d officer(s)", issued.checkpoint.seq,
             issued.recipients)  # fmt: skip
    return issued


def sync_job(
    deps: Deps,
    scheduler: BaseScheduler,
    name: str,
    attempt: int = 1,
    build: SourceFactory = source_registry.build,
) -> str:
    """Sync one directory source. One that is down is tried again `sources.retries` times,
    `sources.retry_minutes` apart (a one-off job); nothing else waits for it."""
    settings = deps.settings.sources
    try:
        source_sync.run(
            engine=deps.engine,
            settings=deps.settings,
            name=name,
            source=build(name, settings.entries[name]),
            now=deps.clock.now(),
            key=deps.audit_key,
            actor="scheduler",
            attempt=attempt,
        )
    except SourceError as exc:
        log.warning("source %s: %s (attempt %d)", name, exc.code, attempt)
        if exc.retryable and attempt <= settings.retries:
            scheduler.add_job(
                sync_job,
                DateTrigger(deps.clock.now() + timedelta(minutes=settings.retry_minutes)),
                id=f"sync-retry:{name}",
                name=f"sync {name} (retry {attempt})",
                kwargs={"deps": deps, "scheduler": scheduler, "name": name,
                        "attempt": attempt + 1, "build": build},
                replace_existing=True,
            )  # fmt: skip
        return "unavailable" if exc.retryable else "refused"
    return "ok"


def add_source_jobs(scheduler: BaseScheduler, deps: Deps) -> None:
    """One cron job per enabled source with a `cron` (in the configured time zone)."""
    for name, config in deps.settings.sources.entries.items():
        if not (config.enabled and config.cron):
            continue
        scheduler.add_job(
            sync_job,
            CronTrigger.from_crontab(config.cron, timezone=deps.settings.zone),
            id=f"sync:{name}",
            name=f"sync {name}",
            kwargs={"deps": deps, "scheduler": scheduler, "name": name},
            replace_existing=True,
            **JOB_OPTIONS,
        )


def build_scheduler(
    deps: Deps,
    channels: dict[str, Channel],
    *,
    worker: str | None = None,
    health: DeliveryHealth | None = None,
) -> AsyncIOScheduler:
    """A configured, not yet started scheduler (start it inside a running event loop)."""
    scheduler = AsyncIOScheduler(timezone=deps.settings.zone, job_defaults=JOB_OPTIONS)
    _add_plan_jobs(scheduler, deps)
    _add_snapshot_job(scheduler, deps)
    deliverer = build_deliverer(deps, channels, worker or worker_name(), health=health)
    _add_checkpoint_job(scheduler, deps)
    scheduler.add_job(
        DeliveryLoop(deliverer).run,
        IntervalTrigger(
            seconds=deps.settings.delivery.interval_seconds, timezone=deps.settings.zone
        ),
        id=DELIVER_JOB,
        name="deliver",
        replace_existing=True,
        **JOB_OPTIONS,
    )
    add_source_jobs(scheduler, deps)
    return scheduler


def _add_plan_jobs(scheduler: AsyncIOScheduler, deps: Deps) -> None:
    """One `plan:<campaign>` job per enabled campaign, on its cron in the configured time zone."""
    zone = deps.settings.zone
    for name in campaigns.CAMPAIGNS:
        campaign = getattr(deps.settings.campaigns, name)
        if not campaign.enabled:
            continue
        scheduler.add_job(
            plan_job,
            CronTrigger.from_crontab(campaign.cron, timezone=zone),
            id=f"plan:{name}",
            name=f"plan {name}",
            kwargs={"deps": deps, "campaign": name},
            replace_existing=True,
            **JOB_OPTIONS,
        )


def _add_checkpoint_job(scheduler: AsyncIOScheduler, deps: Deps) -> None:
    """The audit checkpoint mail to the security officers, on its cron, when enabled."""
    checkpoint = deps.settings.security.checkpoint
    if not checkpoint.enabled:
        return
    scheduler.add_job(
        checkpoint_job,
        CronTrigger.from_crontab(checkpoint.cron, timezone=deps.settings.zone),
        id=CHECKPOINT_JOB,
        name="audit checkpoint",
        kwargs={"deps": deps},
        replace_existing=True,
        **JOB_OPTIONS,
    )


def _add_snapshot_job(scheduler: AsyncIOScheduler, deps: Deps) -> None:
    """Daily by its cron, and once when the scheduler starts (a day missed while stopped)."""
    job = deps.settings.reports.snapshot
    if not job.enabled:
        return
    zone = deps.settings.zone
    scheduler.add_job(
        snapshot_job,
        CronTrigger.from_crontab(job.cron, timezone=zone),
        id=SNAPSHOT_JOB,
        name="compliance snapshot",
        kwargs={"deps": deps},
        next_run_time=datetime.now(UTC),  # the real start, whatever clock the deps carry
        replace_existing=True,
        **JOB_OPTIONS,
    )
