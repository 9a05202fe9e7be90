"""The compliance page and its CSV count each unit's incident reports of the month."""

import csv
import io
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from hygiene.incidents import service as incidents
from hygiene.inventory.models import Official
from tests.conftest import NOW
from tests.reports.seed import seed
from tests.web.staff import sign_in_as


def _report(session: Session, key: bytes, employee_id: str, days_ago: int = 0) -> None:
    who = session.exec(select(Official).where(Official.employee_id == employee_id)).one()
    at = NOW - timedelta(days=days_ago)
    incidents.report(
        session, official_id=who.id, actor=f"official:{employee_id}", channel="zalo",
        occurred_on=None, description="Bị dọa tung ảnh ghép", today=at.date(), now=at, key=key,
    )  # fmt: skip
    session.commit()


def test_the_compliance_table_counts_this_months_reports_per_unit(
    client: TestClient, session: Session, audit_key: bytes
) -> None:
    seed(session)
    _report(session, audit_key, "CB002")
    _report(session, audit_key, "CB002")
    _report(session, audit_key, "CB001", days_ago=5)  # 25/02: last month
    sign_in_as(client, session, "security")

    page = client.get("/console/compliance").text
    rows = list(csv.reader(io.StringIO(client.get("/console/compliance/export.csv").text)))

    assert "Báo cáo sự cố (tháng này)" in page
    assert page.count('<td class="incidents">') == 3
    assert '<td class="incidents">2</td>' in page  # Phòng Tư pháp
    assert rows[0][-1] == "Báo cáo sự cố (tháng này)"
    assert {r[0]: r[-1] for r in rows[1:]} == {
        "Phòng Nội vụ": "0",
        "Phòng Tư pháp": "2",
        "Phòng Văn hóa": "0",
        "Tổng cộng": "2",
    }
