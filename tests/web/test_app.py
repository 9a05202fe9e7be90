from datetime import timedelta
from pathlib import Path

from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import Engine
from sqlmodel import Session

from hygiene import db
from hygiene.bootstrap import Deps, build_deps
from hygiene.runtime import Runtime
from hygiene.settings import Settings
from hygiene.web.app import create_app
from hygiene.web.security import CSP


def test_the_home_page_is_vietnamese_first(client: TestClient) -> None:
    page = client.get("/")

    assert page.status_code == 200
    assert '<html lang="vi">' in page.text
    assert "Cổng cán bộ" in page.text
    assert "không bao giờ hỏi mật khẩu" in page.text


def test_lang_switches_to_english_and_is_remembered(client: TestClient) -> None:
    first = client.get("/?lang=en")
    second = client.get("/")

    assert "Officials&#39; portal" in first.text or "Officials' portal" in first.text
    assert '<html lang="en">' in second.text


def test_accept_language_is_honoured(client: TestClient) -> None:
    assert '<html lang="en">' in client.get("/", headers={"Accept-Language": "en-GB,en;q=0.9"}).text


def test_every_response_carries_security_headers(client: TestClient) -> None:
    for path in ["/", "/healthz", "/static/hygiene.css", "/nope"]:
        response = client.get(path)
        assert response.headers["Content-Security-Policy"] == CSP, path
        assert response.headers["X-Frame-Options"] == "DENY"
        assert response.headers["Referrer-Policy"] == "no-referrer"
    assert "'unsafe-inline'" not in CSP


def test_pages_reference_only_local_assets(client: TestClient) -> None:
    page = client.get("/").text

    assert "http://" not in page
    assert "https://" not in page
    assert client.get("/static/hygiene.css").status_code == 200
    assert client.get("/static/favicon.svg").status_code == 200


def test_the_csrf_cookie_is_httponly_and_strict(client: TestClient) -> None:
    cookie = client.get("/").headers["set-cookie"]

    assert "hygiene_csrf=" in cookie
    assert "HttpOnly" in cookie
    assert "SameSite=strict" in cookie or "samesite=strict" in cookie.lower()


def test_healthz_is_ok_on_a_migrated_database(client: TestClient) -> None:
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json()["database"] == "ok"
    assert response.json()["scheduler"] == "disabled"


def test_healthz_fails_on_an_unmigrated_database(settings: Settings, tmp_path: Path) -> None:
    engine = db.make_engine(f"sqlite:///{tmp_path}/empty.db")
    try:
        with TestClient(create_app(build_deps(settings, engine=engine))) as client:
            response = client.get("/healthz")
    finally:
        engine.dispose()

    assert response.status_code == 503
    assert response.json()["status"] == "fail"


def test_healthz_reports_a_stale_scheduler_and_a_down_channel(
    client: TestClient, runtime: Runtime, deps: Deps
) -> None:
    runtime.scheduler_enabled = runtime.scheduler_running = True
    runtime.last_deliver_at = deps.clock.now() - timedelta(minutes=30)
    runtime.channels = ["smtp", "file"]
    runtime.channel_errors["smtp"] = "535 authentication failed"

    body = client.get("/healthz")

    assert body.status_code == 503
    assert body.json()["scheduler"] == "stale"
    assert body.json()["channels"] == {"smtp": "535 authentication failed", "file": "ok"}


def test_metrics_are_valid_prometheus_text(
    client: TestClient, session: Session, runtime: Runtime
) -> None:
    runtime.channels = ["file"]

    response = client.get("/metrics")
    families = {f.name: f for f in text_string_to_metric_families(response.text)}

    assert response.headers["content-type"].startswith("text/plain")
    assert families["hygiene_inventory_officials"].samples[0].value == 0
    assert families["hygiene_channel_up"].samples[0].labels == {"channel": "file"}
    assert "hygiene_audit_events" in families


def test_metrics_count_messages_by_status_and_the_oldest_pending(
    client: TestClient,
    engine: Engine,
    settings: Settings,
    deps: Deps,
) -> None:
    from hygiene.campaigns import service as campaigns
    from tests import factories as f

    with db.session_scope(engine) as s:
        official = f.ident(f.official(s, f.ident(f.unit(s)), "CB9"))
        f.account(s, official, rotated=None)
        planned = campaigns.plan(
            session=s,
            settings=settings,
            now=deps.clock.now() - timedelta(hours=2),
            campaign="rotation",
            audit_key=deps.audit_key,
            actor="t",
        )

    families = {f.name: f for f in text_string_to_metric_families(client.get("/metrics").text)}

    assert planned.planned == 1
    assert [(s.labels, s.value) for s in families["hygiene_messages"].samples] == [
        ({"status": "pending", "channel": ""}, 1.0)
    ]
    assert families["hygiene_oldest_pending_seconds"].samples[0].value == 7200.0
    assert families["hygiene_ack_rate"].samples[0].value == 0.0


def test_metrics_read_the_inventory_counts_from_the_latest_snapshot(
    client: TestClient, session: Session, deps: Deps
) -> None:
    from hygiene.reports import compliance, snapshot
    from tests.reports.seed import seed

    seed(session)

    def gauges() -> dict[str, float]:
        text = client.get("/metrics").text
        return {f.name: f.samples[0].value for f in text_string_to_metric_families(text)
                if f.name.startswith(("hygiene_inventory", "hygiene_compliance"))}  # fmt: skip

    before = gauges()
    now = deps.clock.now()
    snapshot.take(
        session,
        policies=deps.settings.policies,
        at=compliance.clock_at(deps.settings, now),
        now=now,
    )
    session.commit()
    after = gauges()

    assert (before["hygiene_inventory_officials"], before["hygiene_inventory_units"]) == (0, 3)
    assert before["hygiene_compliance_snapshot_timestamp_seconds"] == 0
    assert after["hygiene_inventory_officials"] == 2
    assert (after["hygiene_inventory_accounts"], after["hygiene_inventory_overdue"]) == (3, 2)
    assert after["hygiene_compliance_snapshot_timestamp_seconds"] == now.timestamp()
