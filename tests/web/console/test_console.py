import re
from pathlib import Path

from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from hygiene.audit.models import AuditEvent
from hygiene.bootstrap import Deps
from hygiene.inventory.models import Official
from hygiene.outbox.models import Message
from hygiene.reports import compliance, snapshot
from hygiene.runtime import Runtime
from tests.helpers import HEADER, ROWS, write_csv
from tests.reports.seed import seed
from tests.web.console.test_audit_badge import settled
from tests.web.staff import sign_in_as
from tests.web.test_console_auth import csrf


def _last_event(session: Session) -> AuditEvent:
    event = session.exec(select(AuditEvent).order_by(col(AuditEvent.seq).desc())).first()
    assert event is not None
    return event


def test_the_admin_home_shows_inventory_and_deliveries(
    client: TestClient, session: Session
) -> None:
    seed(session)
    sign_in_as(client, session, "admin")

    page = client.get("/console")

    assert page.status_code == 200
    assert 'href="/console/import"' in page.text
    assert 'href="/console/compliance"' not in page.text
    assert "Thất bại" in page.text


def _snapshot(session: Session, deps: Deps) -> None:
    now = deps.clock.now()
    at = compliance.clock_at(deps.settings, now)
    snapshot.take(session, policies=deps.settings.policies, at=at, now=now)
    session.commit()


def test_the_security_home_shows_compliance_not_imports(
    client: TestClient, session: Session, deps: Deps
) -> None:
    seed(session)
    _snapshot(session, deps)
    sign_in_as(client, session, "security")

    page = client.get("/console")

    assert 'href="/console/compliance"' in page.text
    assert 'href="/console/import"' not in page.text
    assert "33,3\u00a0%" in page.text
    assert "Số liệu lưu lúc 02/03/2026 10:00" in page.text


def test_the_home_reads_the_stored_figures_not_the_live_ones(
    client: TestClient, session: Session, deps: Deps
) -> None:
    seed(session)
    sign_in_as(client, session, "security")

    before = client.get("/console")
    _snapshot(session, deps)
    after = client.get("/console")

    assert "Chưa có số liệu lưu" in before.text
    assert "33,3\u00a0%" not in before.text
    assert "33,3\u00a0%" in after.text


def test_the_inventory_is_searchable(client: TestClient, session: Session) -> None:
    seed(session)
    sign_in_as(client, session, "security")

    page = client.get("/console/inventory", params={"q": "Nam"})

    assert "CB002" in page.text
    assert "CB001" not in page.text
    assert "Dòng 1–1 / 1" in page.text


def test_an_admin_edits_an_official_and_the_log_names_them(
    client: TestClient, session: Session
) -> None:
    seed(session)
    sign_in_as(client, session, "admin")
    token = csrf(client, "/console/inventory/officials/CB001")

    response = client.post(
        "/console/inventory/officials/CB001",
        data={
            "csrf_token": token,
            "full_name": "Nguyễn Thị Hương",
            "unit": "Phòng Tư pháp",
            "email": "huong@xa.example",
            "phone": "",
            "preferred_channels": "email",
        },
        follow_redirects=False,
    )

    assert response.status_code == 303
    event = _last_event(session)
    assert (event.actor, event.action) == ("user:it@huyen.example", "official.updated")
    assert '"unit":"Phòng Tư pháp"' in event.data


def test_an_edit_with_a_bad_value_changes_nothing(client: TestClient, session: Session) -> None:
    seed(session)
    sign_in_as(client, session, "admin")
    token = csrf(client, "/console/inventory/officials/CB001")

    response = client.post(
        "/console/inventory/officials/CB001",
        data={"csrf_token": token, "full_name": "H", "unit": "Phòng Nội vụ", "phone": "12"},
    )

    session.expire_all()
    official = session.exec(select(Official).where(Official.employee_id == "CB001")).one()
    assert response.status_code == 400
    assert "Trường phone" in response.text
    assert official.full_name == "Nguyễn Thị Hương"


def test_an_admin_marks_an_account_mfa(client: TestClient, session: Session) -> None:
    seed(session)
    sign_in_as(client, session, "admin")
    page = client.get("/console/inventory/officials/CB002")
    account_id = re.search(r'action="/console/inventory/accounts/(\d+)"', page.text)
    assert account_id

    client.post(
        f"/console/inventory/accounts/{account_id.group(1)}",
        data={
            "csrf_token": csrf(client, "/console/inventory/officials/CB002"),
            "employee_id": "CB002",
            "kind": "government",
            "last_rotated": "01/12/2025",
            "mfa": "true",
        },
    )

    assert _last_event(session).action == "account.updated"
    assert '"mfa":true' in _last_event(session).data


def test_the_upload_lists_bad_rows_and_changes_nothing(
    client: TestClient, session: Session, tmp_path: Path
) -> None:
    sign_in_as(client, session, "admin")
    bad = [list(r) for r in ROWS]
    bad[2][HEADER.index("last_rotated")] = "31/02/2025"
    data = write_csv(tmp_path / "ds.csv", bad).read_bytes()

    page = client.post(
        "/console/import",
        data={"csrf_token": csrf(client, "/console/import")},
        files={"file": ("ds.csv", data)},
    )

    assert page.status_code == 422
    assert re.search(r"<td>4</td><td>last_rotated</td>", page.text)
    assert session.exec(select(Official)).first() is None


def test_a_fixed_upload_is_imported(client: TestClient, session: Session, tmp_path: Path) -> None:
    sign_in_as(client, session, "admin")
    data = write_csv(tmp_path / "ds.csv").read_bytes()

    page = client.post(
        "/console/import",
        data={"csrf_token": csrf(client, "/console/import")},
        files={"file": ("ds.csv", data)},
    )

    assert page.status_code == 200
    assert "Đã nhập 3 dòng" in page.text
    assert _last_event(session).actor == "user:it@huyen.example"


def test_an_admin_retries_a_failed_delivery(client: TestClient, session: Session) -> None:
    seed(session)
    message = session.exec(select(Message)).first()
    assert message is not None
    sign_in_as(client, session, "admin")
    listing = client.get("/console/deliveries", params={"status": "failed"})

    response = client.post(
        f"/console/deliveries/{message.id}/retry",
        data={"csrf_token": csrf(client, "/console/deliveries")},
    )

    assert "550 5.1.1 mailbox unavailable" in listing.text
    assert "đưa lại vào hàng đợi" in response.text
    assert _last_event(session).action == "message.retried"


def test_the_system_page_shows_channel_alerts_and_policies(
    client: TestClient, session: Session, runtime: Runtime
) -> None:
    runtime.channels = ["email", "sms"]
    runtime.channel_errors = {"sms": "authentication failed"}
    sign_in_as(client, session, "admin")

    page = client.get("/console/system")

    assert "authentication failed" in page.text
    assert "Hệ thống chính quyền" in page.text


def test_the_security_officer_publishes_to_chosen_units(
    client: TestClient, session: Session
) -> None:
    seed(session)
    sign_in_as(client, session, "security")

    response = client.post(
        "/console/advisories",
        data={
            "csrf_token": csrf(client, "/console/advisories"),
            "title": "Không lưu mật khẩu trên trình duyệt",
            "body": "Hãy xóa mật khẩu đã lưu trong trình duyệt trên máy cơ quan.",
            "severity": "medium",
            "audience": "units",
            "units": ["Phòng Tư pháp"],
            "requires_ack": "true",
        },
    )

    assert "Đã đăng cảnh báo." in response.text
    event = _last_event(session)
    assert (event.action, event.actor) == ("advisory.audience", "user:an-ninh@huyen.example")
    assert '"units":["Phòng Tư pháp"]' in event.data


def test_an_advisory_with_a_link_is_refused_and_kept_as_a_draft(
    client: TestClient, session: Session
) -> None:
    sign_in_as(client, session, "security")

    response = client.post(
        "/console/advisories",
        data={
            "csrf_token": csrf(client, "/console/advisories"),
            "title": "Tải bản vá",
            "body": "Xem https://example.com",
        },
    )

    assert response.status_code == 400
    assert "Tải bản vá" in response.text


def test_the_dashboard_draws_offline_svg_charts_and_links_units(
    client: TestClient, session: Session
) -> None:
    seed(session)
    sign_in_as(client, session, "security")

    page = client.get("/console/compliance")

    assert page.text.count("<svg") == 3
    assert "<script" not in page.text
    assert re.search(r'href="/console/compliance/units/\d+">Phòng Nội vụ', page.text)


def test_the_drill_down_lists_the_units_officials(client: TestClient, session: Session) -> None:
    seed(session)
    sign_in_as(client, session, "security")
    page = client.get("/console/compliance")
    link = re.search(r'href="(/console/compliance/units/\d+)">Phòng Tư pháp', page.text)
    assert link

    unit = client.get(link.group(1))

    assert "Trần Văn Nam" in unit.text


def test_the_csv_export_is_logged(client: TestClient, session: Session) -> None:
    seed(session)
    sign_in_as(client, session, "security")

    response = client.get("/console/compliance/export.csv")

    assert response.headers["content-type"].startswith("text/csv")
    half, whole = '"50,0%"', '"100,0%"'  # no space: a spreadsheet reads them back as numbers
    assert f"Phòng Nội vụ,1,2,1,1,{half},1,{half},1,1,1,1,1,0,0,{whole}" in response.text
    assert _last_event(session).action == "export.downloaded"


def test_the_printable_report_has_the_months_figures(client: TestClient, session: Session) -> None:
    seed(session)
    sign_in_as(client, session, "security")

    page = client.get("/console/compliance/report")

    assert "Tình hình an toàn tài khoản của cán bộ tháng 03/2026" in page.text
    assert "Đổi mật khẩu đúng hạn: 33,3\u00a0%; 2 tài khoản quá hạn." in page.text


def test_the_log_viewer_filters_and_shows_the_verified_badge(
    client: TestClient, session: Session
) -> None:
    sign_in_as(client, session, "security")

    page = client.get("/console/audit", params={"action": "console_user.created"})
    assert "Đang kiểm tra chuỗi…" in page.text  # the first view starts a background walk
    settled(client)
    page = client.get("/console/audit", params={"action": "console_user.created"})

    assert "Chuỗi đã kiểm tra đến #2" in page.text
    assert "user:an-ninh@huyen.example" in page.text
    assert "console_user.password_set</code>" not in page.text


def test_the_admin_cannot_open_the_security_pages(client: TestClient, session: Session) -> None:
    sign_in_as(client, session, "admin")

    assert client.get("/console/compliance").status_code == 403
    assert client.get("/console/audit").status_code == 403


def test_an_officials_page_lists_their_acknowledgements(
    client: TestClient, session: Session
) -> None:
    seed(session)
    sign_in_as(client, session, "security")

    page = client.get("/console/inventory/officials/CB001")

    assert "01/03/2026" in page.text
    assert "21/02/2026" in page.text
    assert 'name="full_name"' not in page.text


def test_the_dashboard_speaks_english_on_request(client: TestClient, session: Session) -> None:
    seed(session)
    sign_in_as(client, session, "security")

    page = client.get("/console/compliance", params={"lang": "en"})

    assert "On-time rotation by unit" in page.text
    assert '<html lang="en">' in page.text


def test_the_printable_report_can_be_made_for_a_past_day(
    client: TestClient, session: Session
) -> None:
    seed(session)
    sign_in_as(client, session, "security")

    page = client.get("/console/compliance/report", params={"as_of": "2026-02-28"})

    assert "Tình hình an toàn tài khoản của cán bộ tháng 02/2026" in page.text
    assert "Cảnh giác ảnh ghép bằng AI" in page.text
