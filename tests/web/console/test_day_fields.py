"""The console's day fields are dd/mm/yyyy text fields, whatever the browser's language; a wrong
day is answered in the reader's language, naming the field and what was typed."""

import re

from fastapi.testclient import TestClient
from sqlmodel import Session

from tests.reports.seed import seed
from tests.web.staff import sign_in_as


def _input(page: str, name: str) -> str:
    found = re.search(rf'<input id="{name}"[^>]*>', page)
    assert found is not None, name
    return found.group(0)


def test_the_report_day_is_a_dd_mm_yyyy_text_field(client: TestClient, session: Session) -> None:
    seed(session)
    sign_in_as(client, session, "security")

    field = _input(client.get("/console/compliance").text, "as_of")

    assert 'type="text"' in field
    assert 'value="02/03/2026"' in field
    assert 'placeholder="dd/mm/yyyy"' in field
    assert 'type="date"' not in client.get("/console/audit").text


def test_a_report_day_typed_dd_mm_yyyy_is_the_day_meant(
    client: TestClient, session: Session
) -> None:
    seed(session)
    sign_in_as(client, session, "security")

    page = client.get("/console/compliance/report", params={"as_of": "01/02/2026"})

    assert page.status_code == 200
    assert "Số liệu đến hết ngày 01/02/2026" in page.text  # 1 February, not 2 January


def test_a_wrong_report_day_is_explained_beside_the_field(
    client: TestClient, session: Session
) -> None:
    seed(session)
    sign_in_as(client, session, "security")

    vi = client.get("/console/compliance/report", params={"as_of": "31/02/2026"})
    en = client.get("/console/compliance/report", params={"as_of": "02/31/2026", "lang": "en"})

    assert vi.status_code == en.status_code == 400
    assert "«Số liệu tính đến ngày»: «31/02/2026» không phải là một ngày." in vi.text
    assert 'value="31/02/2026"' in _input(vi.text, "as_of")
    assert "'Figures as of': '02/31/2026' is not a date. Write day/month/year as dd/mm/yyyy" in (
        en.text.replace("&#39;", "'")
    )


def test_a_wrong_day_in_a_pdf_link_is_a_localized_error(
    client: TestClient, session: Session
) -> None:
    seed(session)
    sign_in_as(client, session, "security")

    response = client.get("/console/compliance/report.pdf", params={"as_of": "hôm qua"})

    assert response.status_code == 400
    assert "«hôm qua» không phải là một ngày" in response.text


def test_the_log_filters_by_days_typed_dd_mm_yyyy(client: TestClient, session: Session) -> None:
    sign_in_as(client, session, "security")  # logs console_user.created on 02/03/2026

    after = client.get("/console/audit", params={"since": "03/03/2026"})
    before = client.get("/console/audit", params={"since": "01/03/2026", "until": "2/3/2026"})

    assert "console_user.created" not in after.text
    assert "console_user.created" in before.text
    assert 'value="02/03/2026"' in _input(before.text, "until")


def test_a_wrong_log_day_is_an_error_not_a_silently_dropped_filter(
    client: TestClient, session: Session
) -> None:
    sign_in_as(client, session, "security")

    page = client.get("/console/audit", params={"since": "2026-13-01"})
    export = client.get("/console/audit/export.csv", params={"since": "2026-13-01"})

    assert page.status_code == 400
    assert "«Từ ngày»: «2026-13-01» không phải là một ngày." in page.text
    assert export.status_code == 400
