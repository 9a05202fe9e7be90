"""The scheduler: stable job ids, explicit zone, coalescing, and jobs that call the services."""

import asyncio
import logging
from datetime import UTC, datetime

import pytest
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import func
from sqlmodel import Session, select

from hygiene import jobs
from hygiene.bootstrap import Deps
from hygiene.channels.memory import MemoryChannel
from hygiene.reports.models import ComplianceSnapshot
from hygiene.settings import Campaign, Campaigns


def test_it_has_one_plan_job_per_enabled_campaign_and_a_deliver_job(deps: Deps) -> None:
    scheduler = jobs.build_scheduler(deps, {"email": MemoryChannel("email")})
    assert sorted(job.id for job in scheduler.get_jobs()) == [
        "audit:checkpoint",
        "deliver",
        "plan:attest",
        "plan:browser",
        "plan:digest",
        "plan:escalation",
        "plan:rotation",
        "report:snapshot",
    ]


def test_it_leaves_out_a_disabled_campaign(deps: Deps) -> None:
    deps.settings = deps.settings.model_copy(
        update={"campaigns": Campaigns(digest=Campaign(enabled=False, cron="0 8 * * mon"))}
    )
    scheduler = jobs.build_scheduler(deps, {})
    assert "plan:digest" not in {job.id for job in scheduler.get_jobs()}


def test_it_plans_on_the_configured_cron_in_the_configured_zone(deps: Deps) -> None:
    job = jobs.build_scheduler(deps, {}).get_job("plan:rotation")
    assert isinstance(job.trigger, CronTrigger)
    assert str(job.trigger.timezone) == "Asia/Ho_Chi_Minh"
    assert "hour='8'" in str(job.trigger)
    assert "day_of_week='mon-sat'" in str(job.trigger)


def test_it_delivers_every_interval_seconds(deps: Deps) -> None:
    job = jobs.build_scheduler(deps, {}).get_job("deliver")
    assert isinstance(job.trigger, IntervalTrigger)
    assert job.trigger.interval.total_seconds() == deps.settings.delivery.interval_seconds


def test_it_coalesces_missed_runs_and_never_overlaps_a_job(deps: Deps) -> None:
    for job in jobs.build_scheduler(deps, {}).get_jobs():
        assert job.coalesce is True
        assert job.max_instances == 1


def test_it_starts_and_stops_inside_an_event_loop(deps: Deps) -> None:
    async def run() -> bool:
        scheduler = jobs.build_scheduler(deps, {})
        scheduler.start()
        running = bool(scheduler.running)
        scheduler.shutdown(wait=False)
        await asyncio.sleep(0)
        return running

    assert asyncio.run(run())


def test_its_plan_job_plans_through_the_service(deps: Deps) -> None:
    assert jobs.plan_job(deps, "digest") == 0


def test_its_snapshot_job_runs_daily_and_at_start(deps: Deps) -> None:
    job = jobs.build_scheduler(deps, {}).get_job("report:snapshot")
    assert isinstance(job.trigger, CronTrigger)
    assert "hour='23'" in str(job.trigger)
    assert job.next_run_time is not None


def test_its_snapshot_job_stores_one_row_per_unit(deps: Deps) -> None:
    from tests import factories as f

    with Session(deps.engine) as session:
        f.unit(session, "Phòng Nội vụ")
        f.unit(session, "Phòng Tư pháp")
        session.commit()

    taken = jobs.snapshot_job(deps)

    with Session(deps.engine) as session:
        assert session.exec(select(func.count()).select_from(ComplianceSnapshot)).one() == 2
    assert taken.units == 2


class _EndlessTick:
    """A deliverer whose tick is still under way when the scheduler shuts down."""

    def __init__(self) -> None:
        self.started = asyncio.Event()

    async def tick(self) -> None:
        self.started.set()
        await asyncio.Event().wait()


def test_a_shutdown_in_the_middle_of_a_delivery_tick_logs_no_error(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def run() -> bool:
        deliverer = _EndlessTick()
        loop = jobs.DeliveryLoop(deliverer)  # type: ignore[arg-type]
        scheduler = AsyncIOScheduler(timezone="UTC")
        scheduler.add_job(loop.run, "date", run_date=datetime.now(UTC), id=jobs.DELIVER_JOB)
        scheduler.start()
        await asyncio.wait_for(deliverer.started.wait(), timeout=30)
        scheduler.shutdown(wait=False)  # as hygiene.server does on SIGINT/SIGTERM
        for _ in range(10):
            await asyncio.sleep(0.01)
        return loop.running

    with caplog.at_level(logging.INFO):
        still_running = asyncio.run(run())

    assert not still_running
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []
