"""The security officer's incident pages, the unit page that names a head, and the monthly
report as a page and a PDF."""

from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from hygiene.audit.models import AuditEvent
from hygiene.db import row_id
from hygiene.incidents import service as incidents
from hygiene.inventory.models import Unit
from hygiene.outbox.models import Message
from tests import factories as f
from tests.conftest import NOW
from tests.reports.seed import seed
from tests.web.staff import sign_in_as
from tests.web.test_console_auth import csrf


def _reported(session: Session, key: bytes) -> int:
    unit = f.ident(f.unit(session, "UBND xã Bình An"))
    who = f.ident(f.official(session, unit, "CB100", name="Lò Văn Đức"))
    row = incidents.report(
        session, official_id=who, actor="official:CB100", channel="zalo", occurred_on=None,
        description="Bị dọa tung ảnh ghép nếu không chuyển 20 triệu", today=NOW.date(),
        now=NOW, key=key,
    )  # fmt: skip
    session.commit()
    return row_id(row.id)


def _actions(session: Session) -> list[str]:
    return list(session.exec(select(AuditEvent.action).order_by(col(AuditEvent.seq))).all())


def test_a_new_report_is_listed_and_shown_with_its_reference(
    client: TestClient, session: Session, audit_key: bytes
) -> None:
    sign_in_as(client, session, "security")
    incident = _reported(session, audit_key)

    listing = client.get("/console/incidents")
    detail = client.get(f"/console/incidents/{incident}")

    assert f"BC-2026-{incident:05d}" in listing.text
    assert "Lò Văn Đức (UBND xã Bình An)" in listing.text
    assert "Mới" in listing.text
    assert "chuyển 20 triệu" in detail.text


def test_the_dashboard_counts_new_reports(
    client: TestClient, session: Session, audit_key: bytes
) -> None:
    sign_in_as(client, session, "security")
    _reported(session, audit_key)

    home = client.get("/console")

    assert "Báo cáo sự cố mới: <strong>1</strong>" in home.text


def test_each_status_change_and_note_is_an_audit_event(
    client: TestClient, session: Session, audit_key: bytes
) -> None:
    sign_in_as(client, session, "security")
    incident = _reported(session, audit_key)
    path = f"/console/incidents/{incident}"

    token = csrf(client, path)
    client.post(f"{path}/status", data={"csrf_token": token, "status": "forwarded"})
    client.post(f"{path}/notes", data={"csrf_token": token, "text": "Đã gọi Công an huyện"})
    client.post(f"{path}/status", data={"csrf_token": token, "status": "closed"})
    page = client.get(path)

    assert "Đã đóng" in page.text
    assert "Đã gọi Công an huyện" in page.text
    assert _actions(session)[-3:] == [
        "incident.status_changed",
        "incident.note_added",
        "incident.status_changed",
    ]
    assert "Công an" not in str(session.exec(select(AuditEvent.data)).all())


def test_a_report_notifies_each_security_officer_and_sends_a_receipt(
    client: TestClient, session: Session, audit_key: bytes
) -> None:
    sign_in_as(client, session, "security")
    incident = _reported(session, audit_key)

    keys = session.exec(select(Message.idempotency_key).order_by(col(Message.id))).all()

    assert keys[0].startswith(f"incident:{incident}:user:")
    assert keys[1] == f"incident:{incident}:receipt"


def test_the_admin_cannot_open_the_incidents(client: TestClient, session: Session) -> None:
    sign_in_as(client, session, "admin")
    assert client.get("/console/incidents").status_code == 403


def test_an_admin_names_a_unit_head_on_the_units_page(client: TestClient, session: Session) -> None:
    sign_in_as(client, session, "admin")
    unit = f.unit(session, "Phòng Tư pháp")
    f.official(session, f.ident(unit), "TP01", name="Hà Thị Lan")
    session.commit()
    path = f"/console/inventory/units/{unit.id}"
    before = client.get("/console/inventory/units")

    answer = client.post(
        f"{path}/head", data={"csrf_token": csrf(client, path), "employee_id": "TP01"}
    )
    after = client.get(path)

    assert "chưa có lãnh đạo đơn vị" in before.text
    assert answer.status_code == 200
    assert "Hà Thị Lan (TP01)" in after.text
    session.expire_all()
    assert session.get_one(Unit, unit.id).head_official_id is not None
    assert _actions(session)[-1] == "unit.head_set"


def test_the_monthly_report_page_and_pdf(client: TestClient, session: Session) -> None:
    seed(session)
    sign_in_as(client, session, "security")

    page = client.get("/console/compliance/report")
    pdf = client.get("/console/compliance/report.pdf")
    css = client.get("/console/compliance/report.css")

    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in page.text
    assert "Đổi mật khẩu đúng hạn: 33,3\u00a0%; 2 tài khoản quá hạn." in page.text
    assert "<style>" not in page.text  # the console's CSP refuses inline styles
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-")
    assert css.headers["content-type"].startswith("text/css")
