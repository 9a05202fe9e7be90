"""Acknowledging in the portal (code, declarations, advisories) and through the JSON API."""

import hashlib
import hmac
import json
from collections.abc import Iterator
from datetime import timedelta

import httpx2
import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from hygiene.acks import service as acks
from hygiene.acks.models import Acknowledgement
from hygiene.advisories.models import Advisory
from hygiene.audit.models import AuditEvent
from hygiene.bootstrap import Deps, build_deps
from hygiene.inventory.models import Account
from hygiene.runtime import Runtime
from hygiene.settings import Settings
from hygiene.web.app import create_app
from tests.acks.builders import sent_message, wrong_code
from tests.conftest import NOW, SECRET, RunCli
from tests.web.portal_helpers import make_official, sign_in
from tests.web.test_console_auth import csrf

INBOUND_SECRET = "inbound-shared-secret-0123456789"


def enter(client: TestClient, code: str) -> httpx2.Response:
    token = csrf(client, "/portal/code")
    return client.post("/portal/code", data={"code": code, "csrf_token": token})


def rotation_code(session: Session, official_id: int, *, days: int = 30) -> str:
    ids = ",".join(str(a.id) for a in session.exec(select(Account)).all())
    expires = NOW + timedelta(days=days)
    _, code = sent_message(session, official_id, payload=ids, expires=expires)
    session.commit()
    return code


def test_an_anonymous_visitor_acknowledges_with_a_code(
    client: TestClient, session: Session
) -> None:
    code = rotation_code(session, make_official(session))

    response = enter(client, code.lower().replace("-", " "))

    assert response.status_code == 200
    assert "Đã ghi nhận: đã đổi mật khẩu (02/03/2026)" in response.text
    assert "Email công vụ, Zalo" in response.text


def test_a_reused_code_is_refused_in_the_portal(client: TestClient, session: Session) -> None:
    code = rotation_code(session, make_official(session))
    enter(client, code)

    again = enter(client, code)

    assert again.status_code == 400
    assert "đã được dùng" in again.text


def test_wrong_codes_in_the_portal_lead_to_a_lockout(client: TestClient) -> None:
    answers = [enter(client, wrong_code(i)) for i in range(acks.CLIENT_LIMIT.limit + 1)]

    assert answers[0].status_code == 400
    assert answers[-1].status_code == 429
    assert "tạm bị khóa đến" in answers[-1].text


def test_the_code_form_needs_the_csrf_token(client: TestClient) -> None:
    client.get("/portal/code")

    assert client.post("/portal/code", data={"code": wrong_code(1)}).status_code == 403


def test_the_json_api_acknowledges_and_says_what(client: TestClient, session: Session) -> None:
    code = rotation_code(session, make_official(session))

    first = client.post("/api/v1/acks", json={"code": code})
    second = client.post("/api/v1/acks", json={"code": code})

    assert first.status_code == 200
    assert first.json()["what"] == "rotation"
    assert first.json()["accounts"] == ["Email công vụ", "Zalo"]
    assert second.status_code == 400
    assert second.json()["error"] == "ack.used"


def test_the_json_api_locks_out_with_a_clear_message(client: TestClient) -> None:
    for i in range(acks.CLIENT_LIMIT.limit):
        client.post("/api/v1/acks", json={"code": wrong_code(i)})

    locked = client.post("/api/v1/acks", json={"code": wrong_code(50)})

    assert locked.status_code == 429
    assert locked.json()["error"] == "ack.locked"
    assert "tạm bị khóa" in locked.json()["message"]


def test_declarations_change_the_accounts_and_are_audited(
    client: TestClient, session: Session, settings: Settings
) -> None:
    oid = make_official(session)
    sign_in(client, settings)
    mail, zalo = session.exec(select(Account).order_by(col(Account.id))).all()
    session.commit()  # SQLite: end the test's transaction before the app writes
    token = csrf(client, "/portal")

    for what, ids in [("rotation", [mail.id]), ("mfa", [zalo.id]), ("browser", [])]:
        data = {"csrf_token": token, "what": what, "account": ids}
        assert client.post("/portal/declare", data=data).status_code == 200
    session.expire_all()

    assert session.get_one(Account, mail.id).last_rotated_on == NOW.date()
    assert session.get_one(Account, zalo.id).mfa is True
    assert session.get_one(Account, zalo.id).browser_saved is False
    whats = session.exec(select(Acknowledgement.what).where(Acknowledgement.official_id == oid))
    assert sorted(whats.all()) == ["browser", "mfa", "rotation"]
    actions = session.exec(select(AuditEvent.action)).all()
    assert actions.count("ack.declared") == 3


def test_an_advisory_is_marked_read_from_the_portal(
    client: TestClient, session: Session, settings: Settings
) -> None:
    make_official(session)
    advisory = Advisory(
        title="Cảnh giác ảnh ghép", body="Không trả tiền.", published_at=NOW, created_by="so"
    )
    session.add(advisory)
    session.commit()
    sign_in(client, settings)
    token = csrf(client, "/portal/advisories")

    page = client.post(f"/portal/advisories/{advisory.id}/read", data={"csrf_token": token})

    assert "Bạn đã xác nhận đọc" in page.text
    assert session.exec(select(Acknowledgement.advisory_id)).all() == [advisory.id]


@pytest.fixture
def sms_client(settings: Settings, deps: Deps) -> Iterator[TestClient]:
    configured = Settings(
        database_url=settings.database_url,
        data_dir=settings.data_dir,
        secret_key=SECRET,
        channels={"sms": {"inbound_secret": INBOUND_SECRET}},
    )
    app_deps = build_deps(configured, clock=deps.clock, engine=deps.engine)
    with TestClient(create_app(app_deps, runtime=Runtime(started_at=NOW))) as test_client:
        yield test_client


def signed(body: bytes, secret: str = INBOUND_SECRET) -> dict[str, str]:
    digest = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return {"X-Hygiene-Signature": f"sha256={digest}"}


def test_an_sms_reply_acknowledges_the_code(sms_client: TestClient, session: Session) -> None:
    code = rotation_code(session, make_official(session))
    body = f"from=0912345678&text=HYG+{code}".encode()

    response = sms_client.post(
        "/api/v1/inbound/sms",
        content=body,
        headers={**signed(body), "Content-Type": "application/x-www-form-urlencoded"},
    )

    assert response.status_code == 200
    assert response.json()["ok"] is True
    assert session.exec(select(Acknowledgement.how)).first() == "sms"


def test_an_sms_reply_as_json_from_another_phone_is_refused(
    sms_client: TestClient, session: Session
) -> None:
    code = rotation_code(session, make_official(session))
    body = json.dumps({"from": "+84987654321", "text": code}).encode()

    response = sms_client.post(
        "/api/v1/inbound/sms",
        content=body,
        headers={**signed(body), "Content-Type": "application/json"},
    )

    assert response.json()["ok"] is False
    assert response.json()["error"] == "ack.invalid"


def test_a_bad_sms_webhook_signature_is_rejected(sms_client: TestClient, session: Session) -> None:
    code = rotation_code(session, make_official(session))
    body = f"from=0912345678&text={code}".encode()

    response = sms_client.post(
        "/api/v1/inbound/sms",
        content=body,
        headers={
            **signed(body, "not-the-secret"),
            "Content-Type": "application/x-www-form-urlencoded",
        },
    )

    assert response.status_code == 401
    assert response.json()["error"] == "inbound.bad_signature"
    assert session.exec(select(Acknowledgement)).all() == []


def test_the_sms_webhook_is_closed_until_a_secret_is_configured(client: TestClient) -> None:
    body = b"from=0912345678&text=HYG+AAAA-AAAA"

    response = client.post("/api/v1/inbound/sms", content=body, headers=signed(body))

    assert response.status_code == 503


def test_an_admin_records_a_code_from_the_cli(run_cli: RunCli, session: Session) -> None:
    # The CLI reads the system clock: give the code a far expiry.
    code = rotation_code(session, make_official(session), days=3650)

    result = run_cli("ack", code, "--note", "qua điện thoại")
    row = session.exec(select(Acknowledgement)).first()
    session.commit()
    again = run_cli("ack", code)

    assert result.exit_code == 0, result.output
    assert "Đã ghi nhận tin nhắn số" in result.output
    assert row is not None
    assert (row.how, row.note) == ("admin", "qua điện thoại")
    assert again.exit_code == 1
    assert "đã được dùng" in again.output


def test_the_secret_fixture_matches(deps: Deps) -> None:
    assert deps.secret == SECRET.encode()


def test_the_public_pages_open_without_signing_in(client: TestClient, session: Session) -> None:
    session.add(
        Advisory(
            title="Cảnh giác", body="Không bấm đường dẫn lạ.", published_at=NOW, created_by="so"
        )
    )
    session.commit()

    pages = {path: client.get(path) for path in ("/portal", "/portal/code", "/portal/advisories")}

    assert {r.status_code for r in pages.values()} == {200}
    assert "dấu trang" in pages["/portal"].text
    assert "Không bấm đường dẫn lạ." in pages["/portal/advisories"].text
    assert "Tôi đã đọc và hiểu" not in pages["/portal/advisories"].text
