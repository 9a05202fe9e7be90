"""The console writes labels, not codes (`escalation`, `browser (everyone)`, `sent`,
`admin,security`, `email,sms`, `high`), and numbers per locale with Babel ("33,3 %", a no-break
space before the sign / "33.3%")."""

import csv
import io

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from hygiene import labels
from hygiene.bootstrap import Deps
from hygiene.db import row_id
from hygiene.inventory.models import Official
from hygiene.outbox.models import DeliveryAttempt, Message
from tests.reports.seed import AT, seed
from tests.web.staff import sign_in_as


def _message(session: Session, campaign: str, kind: str, stage: str | None, status: str) -> int:
    official = session.exec(select(Official).where(Official.employee_id == "CB001")).one()
    row = Message(
        official_id=official.id,
        idempotency_key=f"{campaign}:{kind}:{stage}",
        campaign=campaign,
        kind=kind,
        stage=stage,
        planned_on=AT.date(),
        planned_at=AT,
        status=status,
        channel="email",
        next_attempt_at=AT,
        updated_at=AT,
    )
    session.add(row)
    session.flush()
    return row_id(row.id)


def _deliveries(session: Session) -> int:
    _message(session, "escalation", "escalation", None, "pending")
    sent = _message(session, "browser", "browser", "everyone", "sent")
    session.add(
        DeliveryAttempt(
            message_id=sent,
            attempt=1,
            worker="w",
            channel="sms",
            outcome="transient",
            started_at=AT,
            finished_at=AT,
        )
    )
    session.commit()
    return sent


def test_the_deliveries_list_names_campaigns_stages_statuses_and_channels(
    client: TestClient, session: Session
) -> None:
    seed(session)
    _deliveries(session)
    sign_in_as(client, session, "admin")

    page = client.get("/console/deliveries").text

    assert "Báo lãnh đạo đơn vị" in page
    assert "Mật khẩu trên trình duyệt (mọi cán bộ)" in page
    assert "browser (everyone)" not in page
    assert ">escalation<" not in page
    assert ">email<" not in page
    assert "Thư điện tử" in page


def test_a_delivery_names_its_campaign_and_the_attempts_outcome(
    client: TestClient, session: Session
) -> None:
    seed(session)
    sent = _deliveries(session)
    sign_in_as(client, session, "admin")

    vi = client.get(f"/console/deliveries/{sent}").text
    en = client.get(f"/console/deliveries/{sent}?lang=en").text

    assert "Mật khẩu lưu trên trình duyệt / Mật khẩu trên trình duyệt (mọi cán bộ)" in vi
    assert "<td>SMS</td><td>Lỗi tạm thời</td>" in vi
    assert "Browser-saved passwords / Browser passwords (everyone)" in en
    assert "<td>SMS</td><td>Transient error</td>" in en
    assert ">transient<" not in vi + en


def test_the_home_page_names_the_users_roles(client: TestClient, session: Session) -> None:
    sign_in_as(client, session, "admin,security")

    vi = client.get("/console").text
    en = client.get("/console?lang=en").text

    assert "Quản trị, An toàn thông tin" in vi
    assert "Administrator, Security officer" in en
    assert "admin,security" not in vi + en


def test_an_officials_channels_and_kinds_are_labelled(client: TestClient, session: Session) -> None:
    seed(session)
    sign_in_as(client, session, "security")

    page = client.get("/console/inventory/officials/CB001").text

    assert "<dd>Thư điện tử, SMS</dd>" in page
    assert "<td>Nhắn tin</td>" in page  # the messaging account (Zalo)
    assert "email,sms" not in page


def test_advisory_severities_are_labelled(client: TestClient, session: Session) -> None:
    seed(session)
    sign_in_as(client, session, "security")

    page = client.get("/console/advisories").text

    assert ">Cao</span>" in page
    assert ">high<" not in page


def test_percentages_follow_the_readers_language(client: TestClient, session: Session) -> None:
    seed(session)
    sign_in_as(client, session, "security")

    vi = client.get("/console/compliance").text
    en = client.get("/console/compliance?lang=en").text

    assert "<strong>33,3\u00a0%</strong>" in vi
    assert "33.3%" not in vi
    assert "<strong>33.3%</strong>" in en
    assert ">50,0\u00a0%</text>" in vi  # the bar chart's value for Phòng Nội vụ


def test_the_compliance_csv_is_written_for_the_reader(client: TestClient, session: Session) -> None:
    seed(session)
    sign_in_as(client, session, "security")

    vi = list(csv.reader(io.StringIO(client.get("/console/compliance/export.csv").text)))
    en = list(csv.reader(io.StringIO(client.get("/console/compliance/export.csv?lang=en").text)))

    assert vi[0][:3] == ["\ufeffĐơn vị", "Số cán bộ", "Số tài khoản"]
    assert vi[1][0] == "Phòng Nội vụ"
    assert vi[1][5] == "50,0%"  # no space in the CSV: a spreadsheet reads it as a number
    assert vi[-1][0] == "Tổng cộng"
    assert vi[-1][5] == "33,3%"
    assert en[0][5] == "On time"
    assert en[-1][:1] + en[-1][5:6] == ["All units", "33.3%"]


def test_an_unlabelled_code_is_shown_as_it_is() -> None:
    assert labels.label("message_status", "sent", "vi") == "Đã gửi"
    assert labels.label("message_status", "teleported", "vi") == "teleported"
    assert labels.label("stage", "everyone", "en") == "everyone"
    assert labels.label("how", "admin", "vi") == "Quản trị viên ghi nhận"


def test_large_counts_are_grouped_per_locale(deps: Deps) -> None:
    from hygiene import i18n

    assert i18n.format_number(12345, "vi") == "12.345"
    assert i18n.format_number(12345, "en") == "12,345"


def test_the_trend_chart_names_weeks_in_the_readers_language(
    client: TestClient, session: Session
) -> None:
    seed(session)
    sign_in_as(client, session, "security")

    vi = client.get("/console/compliance").text
    en = client.get("/console/compliance?lang=en").text

    assert ">Tuần 10</text>" in vi  # 02/03/2026 is in ISO week 10
    assert "Tuần 10 (02/03–08/03/2026): 33,3\u00a0%" in vi
    assert ">Week 10</text>" in en
    assert "W10" not in vi + en
    assert "Chưa có số liệu" in vi  # the legend
