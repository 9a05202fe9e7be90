"""probe → API → a browser warning planned for that official, over a real HTTP server."""

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from hygiene.bootstrap import Deps
from hygiene.devices import service as devices
from hygiene.outbox.models import Message
from hygiene.probe import cli as probe_cli
from tests.conftest import NOW, SECRET
from tests.helpers import write_csv
from tests.inventory.test_importer import run_import
from tests.probe.builders import Tree, sample_logins, write_login_data

KEY = SECRET.encode()


def enrol(session: Session, tmp_path: Path, audit_key: bytes) -> str:
    run_import(session, write_csv(tmp_path / "a.csv"), audit_key)
    _, token = devices.add_device(
        session, employee_id="CB001", name="PC-VANTHU", secret=KEY, now=NOW, actor="t"
    )
    session.commit()
    return token


def test_a_probe_report_plans_a_targeted_browser_warning(
    session: Session, tmp_path: Path, audit_key: bytes, live_server: str
) -> None:
    token = enrol(session, tmp_path, audit_key)
    home = Tree(tmp_path / "pc")
    write_login_data(home.chromium_profile("chrome") / "Login Data", sample_logins(3))

    code = probe_cli.main(
        ["--send", f"{live_server}/api/v1/probe/reports", "--token", token],
        host=home.host(),
        now=datetime(2026, 3, 2, 2, 0, tzinfo=UTC),
    )
    session.rollback()
    planned = session.exec(
        select(Message).where(col(Message.campaign) == "browser", col(Message.stage) == "saved")
    ).all()

    device = devices.device_for_token(session, token=token, secret=KEY)
    assert device is not None
    assert code == 0
    assert [m.official_id for m in planned] == [device.official_id]


def test_a_clean_report_plans_nothing_and_a_bad_token_is_refused(
    session: Session, tmp_path: Path, audit_key: bytes, client: TestClient
) -> None:
    token = enrol(session, tmp_path, audit_key)
    body: dict[str, Any] = {
        "schema_version": 1,
        "probe_version": "0.1.0",
        "hostname": "PC",
        "os": "Linux",
        "generated_at": "2026-03-02T02:00:00Z",
        "profiles": [{"browser": "firefox", "profile": "abc.default", "saved_logins": 0}],
    }

    clean = client.post(
        "/api/v1/probe/reports", json=body, headers={"Authorization": f"Bearer {token}"}
    )
    refused = client.post(
        "/api/v1/probe/reports", json=body, headers={"Authorization": "Bearer hygdev_x"}
    )
    smuggled = client.post(
        "/api/v1/probe/reports",
        headers={"Authorization": f"Bearer {token}"},
        json={**body, "profiles": [{**body["profiles"][0], "username": "an"}]},
    )

    assert clean.status_code == 201
    assert clean.json()["warning_planned"] is False
    assert refused.status_code == 401
    assert smuggled.status_code == 422


def test_the_compliance_report_counts_probe_findings_per_unit(
    session: Session, tmp_path: Path, audit_key: bytes, client: TestClient, deps: Deps
) -> None:
    from hygiene.reports import compliance

    token = enrol(session, tmp_path, audit_key)
    body = {
        "schema_version": 1,
        "probe_version": "0.1.0",
        "hostname": "PC",
        "os": "Linux",
        "generated_at": "2026-03-02T02:00:00Z",
        "profiles": [
            {"browser": "chrome", "profile": "Default", "saved_logins": 4},
            {"browser": "firefox", "profile": "x.default", "saved_logins": 1},
        ],
    }
    client.post("/api/v1/probe/reports", json=body, headers={"Authorization": f"Bearer {token}"})
    session.rollback()

    report = compliance.report(
        session,
        policies=deps.settings.policies,
        at=compliance.clock_at(deps.settings, NOW),
    )
    rows = {u.unit: (u.probe_officials, u.probe_saved_logins) for u in report.units}

    assert rows == {"Phòng Nội vụ": (1, 5), "UBND xã Bình An": (0, 0)}
    assert (report.total.probe_officials, report.total.probe_saved_logins) == (1, 5)
