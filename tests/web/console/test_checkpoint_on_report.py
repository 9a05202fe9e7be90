"""The monthly report (page and PDF) prints the log's checkpoint (issue 13, item 3)."""

from pathlib import Path

from fastapi.testclient import TestClient
from sqlmodel import Session

from hygiene.audit import checkpoints
from tests.conftest import NOW
from tests.reports.test_monthly_pdf import _text as pdf_text
from tests.web.staff import sign_in_as


def test_the_monthly_report_prints_the_checkpoint(
    client: TestClient, session: Session, tmp_path: Path
) -> None:
    sign_in_as(client, session, "security")
    head = checkpoints.current(session, now=NOW)
    session.rollback()

    page = client.get("/console/compliance/report")
    document = pdf_text(client.get("/console/compliance/report.pdf").content, tmp_path)

    assert page.status_code == 200
    assert head.pair in page.text
    assert "Điểm kiểm tra nhật ký" in page.text
    assert head.pair in "".join(document.split())
