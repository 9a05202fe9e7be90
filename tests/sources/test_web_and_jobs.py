"""A source's state in /healthz, /metrics, the console and the API; its scheduled sync, and the
retry of a source that is down (which stops nothing else)."""

from collections.abc import Iterator

import pytest
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session

from hygiene import jobs
from hygiene.bootstrap import Deps
from hygiene.runtime import Runtime
from hygiene.settings import Settings
from hygiene.sources import service
from hygiene.sources.base import SourceUnavailable
from hygiene.sources.fake import FakeSource
from hygiene.web.app import create_app
from tests.conftest import NOW
from tests.sources.conftest import CHANGED, seen
from tests.web.staff import bearer, sign_in_as

DOWN = SourceUnavailable(source="ad", reason="LDAPSocketOpenError: connection refused")


@pytest.fixture
def sdeps(deps: Deps, src_settings: Settings, inventory: dict[str, int]) -> Deps:
    cron = {"cron": "30 6 * * *"}
    entry = src_settings.sources.entries["ad"].model_copy(update=cron)
    sources = src_settings.sources.model_copy(update={"entries": {"ad": entry}})
    deps.settings = src_settings.model_copy(update={"sources": sources})
    return deps


@pytest.fixture
def client(sdeps: Deps) -> Iterator[TestClient]:
    with TestClient(create_app(sdeps, runtime=Runtime(started_at=NOW))) as test_client:
        yield test_client


def _fail(deps: Deps) -> None:
    with pytest.raises(SourceUnavailable):
        service.run(
            engine=deps.engine, settings=deps.settings, name="ad",
            source=FakeSource("ad", error=DOWN), now=NOW, key=deps.audit_key, actor="t",
        )  # fmt: skip


def test_healthz_shows_a_down_source_as_degraded_not_failed(
    client: TestClient, sdeps: Deps
) -> None:
    _fail(sdeps)
    body = client.get("/healthz")
    assert body.status_code == 200
    assert body.json()["sources"] == {"ad": "down"}
    assert "source:ad" in body.json()["degraded"]


def test_metrics_give_the_source_state(client: TestClient, sdeps: Deps) -> None:
    _fail(sdeps)
    text = client.get("/metrics").text
    assert 'hygiene_source_up{source="ad"} 0.0' in text


def test_the_console_shows_state_evidence_and_findings(
    client: TestClient, sdeps: Deps, session: Session
) -> None:
    _fail(sdeps)
    sign_in_as(client, session, "admin,security")
    page = client.get("/console/sources")
    assert page.status_code == 200
    assert "không kết nối được" in page.text
    assert "LDAPSocketOpenError" in page.text
    assert "Đã xác minh hay tự khai báo" in page.text


def test_the_api_splits_verified_from_declared(
    client: TestClient, sdeps: Deps, session: Session, engine: Engine
) -> None:
    service.run(
        engine=engine, settings=sdeps.settings, name="ad",
        source=FakeSource("ad", [seen("huong", CHANGED)]), now=NOW, key=sdeps.audit_key, actor="t",
    )  # fmt: skip
    headers = bearer(session, "security")
    total = client.get("/api/v1/sources/evidence", headers=headers).json()["total"]
    assert (total["verified"], total["declared"]) == (1, 0)  # the other two are overdue
    states = client.get("/api/v1/sources", headers=headers).json()
    assert states[0]["state"] == "ok"
    assert client.get("/api/v1/sources/findings", headers=headers).json() == []


def test_the_scheduler_syncs_each_source_on_its_cron(sdeps: Deps) -> None:
    job = jobs.build_scheduler(sdeps, {}).get_job("sync:ad")
    assert isinstance(job.trigger, CronTrigger)
    assert "hour='6'" in str(job.trigger)


def test_a_source_that_is_down_is_retried_later(sdeps: Deps) -> None:
    scheduler = BackgroundScheduler(timezone=sdeps.settings.zone)
    outcome = jobs.sync_job(sdeps, scheduler, "ad", build=lambda n, c: FakeSource(n, error=DOWN))
    assert outcome == "unavailable"
    retry = scheduler.get_job("sync-retry:ad")
    assert retry is not None
    assert retry.kwargs["attempt"] == 2


def test_retries_stop_after_the_configured_number(sdeps: Deps) -> None:
    scheduler = BackgroundScheduler(timezone=sdeps.settings.zone)
    attempts = sdeps.settings.sources.retries + 1
    jobs.sync_job(
        sdeps, scheduler, "ad", attempt=attempts, build=lambda n, c: FakeSource(n, error=DOWN)
    )
    assert scheduler.get_job("sync-retry:ad") is None


def test_a_successful_scheduled_sync_updates_the_inventory(sdeps: Deps) -> None:
    scheduler = BackgroundScheduler(timezone=sdeps.settings.zone)
    outcome = jobs.sync_job(
        sdeps, scheduler, "ad", build=lambda n, c: FakeSource(n, [seen("huong", CHANGED)])
    )
    assert outcome == "ok"
    assert scheduler.get_jobs() == []
