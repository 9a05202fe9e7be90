"""The threat report and the password-strength check in the portal."""

from datetime import date

import httpx2
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from hygiene.audit.models import AuditEvent
from hygiene.incidents.models import IncidentReport
from hygiene.inventory.models import Account
from hygiene.settings import Settings
from hygiene.users import service as users
from tests.conftest import NOW, SECRET
from tests.web.portal_helpers import make_official, sign_in
from tests.web.test_console_auth import csrf

STRONG = "mây trắng bay qua đồi chè Tam Đường"


def check(client: TestClient, candidate: str, account: str = "") -> httpx2.Response:
    token = csrf(client, "/portal/strength")
    return client.post(
        "/portal/strength", data={"candidate": candidate, "account": account, "csrf_token": token}
    )


def test_the_guidance_is_shown_to_anyone(client: TestClient) -> None:
    page = client.get("/portal/report")

    assert page.status_code == 200
    for words in ["Không xóa", "Không chuyển tiền", "Không chuyển tiếp", "công an", "bằng chứng"]:
        assert words in page.text
    assert 'name="description"' not in page.text


def test_a_signed_in_official_reports_a_threat(
    client: TestClient, session: Session, settings: Settings
) -> None:
    make_official(session)
    sign_in(client, settings)
    token = csrf(client, "/portal/report")

    page = client.post(
        "/portal/report",
        data={
            "csrf_token": token,
            "channel": "zalo",
            "occurred_on": "01/03/2026",
            "description": "Người lạ gửi ảnh cắt ghép qua Zalo và đòi 50 triệu đồng.",
        },
    )
    report = session.exec(select(IncidentReport)).one()
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "incident.reported")).one()

    assert "Đã gửi báo cáo số" in page.text
    assert report.channel == "zalo"
    assert report.occurred_on == date(2026, 3, 1)
    assert "50 triệu" not in event.data


def test_a_report_in_the_future_is_refused(
    client: TestClient, session: Session, settings: Settings
) -> None:
    make_official(session)
    sign_in(client, settings)
    token = csrf(client, "/portal/report")

    page = client.post(
        "/portal/report",
        data={
            "csrf_token": token,
            "channel": "sms",
            "occurred_on": "01/01/2027",
            "description": "Tin nhắn lạ",
        },
    )

    assert page.status_code == 400
    assert "tương lai" in page.text


def test_the_security_officer_lists_reports_as_json(
    client: TestClient, session: Session, settings: Settings
) -> None:
    make_official(session)
    sign_in(client, settings)
    token = csrf(client, "/portal/report")
    client.post(
        "/portal/report",
        data={"csrf_token": token, "channel": "phone", "description": "Gọi đe dọa"},
    )
    users.add_user(
        session,
        email="so@huyen.example",
        roles="security",
        secret=SECRET.encode(),
        now=NOW,
        actor="t",
    )
    api = users.issue_token(
        session, email="so@huyen.example", name="t", secret=SECRET.encode(), now=NOW, actor="t"
    )
    session.commit()

    listed = client.get("/api/v1/incidents", headers={"Authorization": f"Bearer {api}"})
    as_official = client.get("/api/v1/incidents")

    assert listed.status_code == 200
    assert listed.json()[0]["channel"] == "phone"
    assert listed.json()[0]["employee_id"] == "CB001"
    assert as_official.status_code == 401


def test_the_strength_check_works_signed_out_and_is_not_cached(client: TestClient) -> None:
    page = check(client, "matkhau@123")

    assert page.status_code == 200
    assert page.headers["cache-control"] == "no-store"
    assert "Rất yếu" in page.text or "Yếu" in page.text
    assert "matkhau@123" not in page.text


def test_a_strong_passphrase_scores_high(client: TestClient) -> None:
    page = check(client, STRONG)

    assert "Rất mạnh" in page.text or "Mạnh" in page.text
    assert STRONG not in page.text


def test_a_password_longer_than_72_characters_gets_a_clear_message(client: TestClient) -> None:
    page = check(client, "a" * 73)

    assert page.status_code == 400
    assert "dài quá 72 ký tự" in page.text
    assert "a" * 73 not in page.text


def test_the_officials_own_name_counts_against_the_password(
    client: TestClient, session: Session, settings: Settings
) -> None:
    make_official(session)
    anonymous = check(client, "0912345678hoa")
    sign_in(client, settings)

    personal = check(client, "0912345678hoa")

    assert "score-" in anonymous.text
    assert _score(personal.text) < _score(anonymous.text)


def _score(html: str) -> int:
    return int(html.split('class="result score-')[1][0])


def test_only_the_score_and_date_are_kept_on_the_chosen_account(
    client: TestClient, session: Session, settings: Settings
) -> None:
    make_official(session)
    sign_in(client, settings)
    mail = session.exec(select(Account).order_by(col(Account.id))).first()
    assert mail is not None
    session.commit()

    page = check(client, STRONG, account=str(mail.id))
    session.expire_all()
    stored = session.get(Account, mail.id)

    assert "Đã lưu điểm" in page.text
    assert stored is not None
    assert stored.strength_score is not None
    assert stored.strength_score >= 3
    assert stored.strength_checked_on == NOW.date()
