import io
import json
import time
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from hygiene.audit import jobs
from hygiene.audit.models import AuditEvent
from hygiene.clock import FixedClock
from hygiene.outbox.models import Message
from tests.audit.holding import dead_walk
from tests.audit.test_chain import tamper
from tests.helpers import HEADER, ROWS, snapshot, write_csv
from tests.reports.seed import seed
from tests.web.staff import bearer


def _csv(tmp_path: Path, rows: Sequence[Sequence[Any]] = ROWS) -> bytes:
    return write_csv(tmp_path / "ds.csv", rows).read_bytes()


def _actions(session: Session) -> list[tuple[str, str]]:
    rows = session.exec(select(AuditEvent).order_by(col(AuditEvent.seq))).all()
    return [(e.actor, e.action) for e in rows]


def test_lists_are_paged_with_a_total(client: TestClient, session: Session) -> None:
    seed(session)
    auth = bearer(session, "admin")

    page = client.get("/api/v1/officials?limit=1&offset=1", headers=auth).json()

    assert (page["total"], page["limit"], page["offset"]) == (2, 1, 1)
    assert [o["employee_id"] for o in page["items"]] == ["CB002"]


def test_officials_are_filtered_by_unit(client: TestClient, session: Session) -> None:
    seed(session)
    auth = bearer(session, "security")

    page = client.get("/api/v1/officials", params={"unit": "Phòng Tư pháp"}, headers=auth).json()

    assert [o["employee_id"] for o in page["items"]] == ["CB002"]


def test_a_bad_spreadsheet_is_refused_with_every_bad_cell(
    client: TestClient, session: Session, engine: Engine, tmp_path: Path
) -> None:
    auth = bearer(session, "admin")
    bad = [list(ROWS[0]), list(ROWS[2])]
    bad[1][HEADER.index("phone")] = "12"
    before = snapshot(engine)

    response = client.post(
        "/api/v1/import", files={"file": ("ds.csv", _csv(tmp_path, bad))}, headers=auth
    )

    assert response.status_code == 422
    assert response.json()["problems"] == [
        {
            "line": 3,
            "column": "phone",
            "field": "phone",
            "value": "12",
            "code": "phone.invalid",
            "message": response.json()["problems"][0]["message"],
        }
    ]
    assert response.json()["total"] == 1
    assert snapshot(engine) == before


def test_a_good_spreadsheet_is_imported_by_the_admin(
    client: TestClient, session: Session, tmp_path: Path
) -> None:
    auth = bearer(session, "admin")

    response = client.post(
        "/api/v1/import", files={"file": ("ds.csv", _csv(tmp_path))}, headers=auth
    )

    assert response.status_code == 200
    assert response.json()["officials_created"] == 2
    assert _actions(session)[-1] == ("user:it@huyen.example", "import.completed")


def test_an_admin_edits_an_official_and_the_change_is_logged(
    client: TestClient, session: Session
) -> None:
    seed(session)
    auth = bearer(session, "admin")

    response = client.patch("/api/v1/officials/CB001", json={"phone": "0912 345 678"}, headers=auth)

    assert response.json()["phone"] == "+84912345678"
    assert _actions(session)[-1] == ("user:it@huyen.example", "official.updated")


def test_a_bad_edit_names_the_field(client: TestClient, session: Session) -> None:
    seed(session)
    auth = bearer(session, "admin")

    response = client.patch("/api/v1/officials/CB001", json={"phone": "12"}, headers=auth)

    assert response.status_code == 400
    assert "phone" in response.json()["message"]


def test_the_security_officer_cannot_edit_the_inventory(
    client: TestClient, session: Session
) -> None:
    seed(session)
    auth = bearer(session, "security")

    response = client.patch("/api/v1/officials/CB001", json={"phone": "0912345678"}, headers=auth)

    assert response.status_code == 403
    assert response.json()["error"] == "auth.forbidden"


def test_an_admin_retries_a_failed_message(client: TestClient, session: Session) -> None:
    seed(session)
    message = session.exec(select(Message)).first()
    assert message is not None
    auth = bearer(session, "admin")

    response = client.post(f"/api/v1/messages/{message.id}/retry", headers=auth)
    again = client.post(f"/api/v1/messages/{message.id}/retry", headers=auth)

    assert response.json()["status"] == "pending"
    assert again.status_code == 409
    assert _actions(session)[-1] == ("user:it@huyen.example", "message.retried")


def test_the_security_officer_publishes_an_advisory_to_units(
    client: TestClient, session: Session
) -> None:
    seed(session)
    auth = bearer(session, "security")
    body = {
        "title": "Cảnh giác ảnh ghép bằng AI",
        "body": "Không chuyển tiếp, không trả tiền; báo ngay công an.",
        "severity": "high",
        "requires_ack": True,
        "audience": ["Phòng Nội vụ"],
    }

    response = client.post("/api/v1/advisories", json=body, headers=auth)
    listed = client.get("/api/v1/advisories", headers=auth).json()

    assert response.status_code == 201
    assert response.json()["audience"] == ["Phòng Nội vụ"]
    assert listed["total"] == 4
    assert _actions(session)[-2:] == [
        ("user:an-ninh@huyen.example", "advisory.published"),
        ("user:an-ninh@huyen.example", "advisory.audience"),
    ]


def test_acknowledgements_are_listed(client: TestClient, session: Session) -> None:
    seed(session)
    auth = bearer(session, "security")

    page = client.get("/api/v1/acks", params={"what": "browser"}, headers=auth).json()

    assert [a["employee_id"] for a in page["items"]] == ["CB001", "CB002"]


def test_the_audit_log_is_filtered_and_verified(client: TestClient, session: Session) -> None:
    auth = bearer(session, "security")

    events = client.get("/api/v1/audit", params={"action": "api_token"}, headers=auth).json()
    started = client.post("/api/v1/audit/verifications", headers=auth)
    job = started.json()
    verdict = _poll(client, started.headers["location"], auth)

    assert [e["action"] for e in events["items"]] == ["api_token.issued"]
    assert started.status_code == 202
    assert started.headers["location"] == f"/api/v1/audit/verifications/{job['id']}"
    assert verdict["status"] == "done"
    assert verdict["result"]["ok"] is True
    assert verdict["result"]["verified_up_to"] == verdict["result"]["count"] == 3


def _poll(client: TestClient, path: str, auth: dict[str, str]) -> dict[str, Any]:
    deadline = time.monotonic() + 30
    while True:
        job: dict[str, Any] = client.get(path, headers=auth).json()
        if job["status"] != "running" or time.monotonic() > deadline:
            return job
        time.sleep(0.05)


def test_a_tampered_log_is_reported_by_the_background_verification(
    client: TestClient, session: Session, engine: Engine
) -> None:
    auth = bearer(session, "security")
    client.get("/api/v1/audit", headers=auth)
    tamper(engine, "UPDATE audit_event SET actor = 'someone else' WHERE seq = 2")

    started = client.post("/api/v1/audit/verifications", headers=auth)
    verdict = _poll(client, started.headers["location"], auth)

    assert verdict["status"] == "done"
    assert verdict["result"]["ok"] is False
    assert (verdict["result"]["first_bad_seq"], verdict["result"]["reason"]) == (2, "hash")
    assert verdict["finished_at"] is not None


def test_a_poll_of_a_walk_whose_process_died_answers_an_error(
    client: TestClient, session: Session, engine: Engine, clock: FixedClock
) -> None:
    auth = bearer(session, "security")
    dead = dead_walk(engine, clock)
    path = f"/api/v1/audit/verifications/{dead}"
    before = client.get(path, headers=auth).json()
    clock.advance(jobs.STALE + timedelta(seconds=1))

    after = client.get(path, headers=auth).json()

    assert (before["status"], before["error"]) == ("running", None)
    assert (after["status"], after["error"]) == ("error", jobs.INTERRUPTED)
    assert after["finished_at"] is not None
    assert after["result"] is None


def test_an_unknown_verification_is_404_in_the_readers_language(
    client: TestClient, session: Session
) -> None:
    auth = {**bearer(session, "security"), "Accept-Language": "vi"}

    response = client.get("/api/v1/audit/verifications/999", headers=auth)

    assert response.status_code == 404
    assert response.json()["error"] == "audit.verification_not_found"
    assert "Không có lượt kiểm tra nhật ký số 999" in response.json()["message"]


def test_a_verification_needs_the_security_role(client: TestClient, session: Session) -> None:
    response = client.post("/api/v1/audit/verifications", headers=bearer(session, "admin"))

    assert response.status_code == 403


def test_api_errors_are_json_in_the_readers_language(client: TestClient) -> None:
    response = client.get("/api/v1/units", headers={"Accept-Language": "en"})

    assert response.status_code == 401
    assert response.json() == {"error": "auth.sign_in_required", "message": "Please sign in."}


def test_a_malformed_request_is_refused_in_the_readers_language(
    client: TestClient, session: Session
) -> None:
    auth = bearer(session, "admin")

    vi = client.get("/api/v1/officials?limit=abc", headers=auth)
    en = client.get("/api/v1/officials?limit=0", headers={**auth, "Accept-Language": "en"})
    body = client.patch(
        "/api/v1/officials/CB001",
        content=b"{not json",
        headers={**auth, "Content-Type": "application/json"},
    )

    assert (vi.status_code, en.status_code, body.status_code) == (422, 422, 422)
    assert vi.json()["message"] == "Trường query.limit không hợp lệ: cần một số nguyên"
    assert en.json()["message"] == "Invalid field query.limit: must be at least 1"
    assert "nội dung JSON sai cú pháp" in body.json()["message"]


def test_the_openapi_schema_declares_the_bearer_token(client: TestClient, session: Session) -> None:
    auth = bearer(session, "admin")

    schema = client.get("/openapi.json", headers=auth).json()

    assert "/api/v1/reports/compliance" in schema["paths"]
    assert schema["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"


def test_the_docs_page_uses_local_assets_and_no_inline_script(
    client: TestClient, session: Session
) -> None:
    auth = bearer(session, "admin")

    page = client.get("/docs", headers=auth)
    bundle = client.get("/docs/assets/swagger-ui-bundle.js")
    init = client.get("/static/docs/swagger-init.js")

    assert page.status_code == 200
    assert "https://" not in page.text
    assert "<script>" not in page.text
    assert bundle.status_code == 200
    assert "SwaggerUIBundle" in init.text
    assert "'unsafe-inline'" not in page.headers["content-security-policy"]


def test_import_results_are_plain_json(
    client: TestClient, session: Session, tmp_path: Path
) -> None:
    auth = bearer(session, "admin")

    response = client.post(
        "/api/v1/import?dry_run=true",
        files={"file": ("ds.csv", io.BytesIO(_csv(tmp_path)))},
        headers=auth,
    )

    assert json.loads(response.text)["dry_run"] is True
