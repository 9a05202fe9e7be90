"""Counts inside translated sentences are written per locale with Babel: "1.200" in Vietnamese,
"1,200" in English, in the CLI, the console and the API; numbers that name a thing (a line, an
event number) stay as they are."""

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from hygiene import i18n
from tests.helpers import HEADER, write_csv
from tests.web.staff import bearer, sign_in_as
from tests.web.test_console_auth import csrf

MANY = 1200


def _rows(*, phone: str = "") -> list[list[str]]:
    return [
        [f"CB{i:05d}", "Nguyễn Văn An", "Phòng Nội vụ", f"an{i}@xa.example", phone, "vi",
         "Email công vụ", "email", f"an{i}@xa.example", "15/01/2026", "có"]
        for i in range(MANY)
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("locale", "written"), [("vi", "Đã nhập 1.200 dòng"), ("en", "Rows imported: 1,200.")]
)
def test_a_count_in_a_sentence_is_grouped_per_locale(locale: str, written: str) -> None:
    counts = dict.fromkeys(
        ("units_created", "officials_updated", "accounts_updated", "unchanged"), 0
    )
    shown = i18n.t("import.done", locale, rows=MANY, officials_created=MANY,
                   accounts_created=MANY, **counts)  # fmt: skip

    assert shown.startswith(written)


def test_a_line_number_is_not_grouped() -> None:
    shown = i18n.t("import.problem", "vi", line=1234, column="Điện thoại", reason="sai")

    assert "1234" in shown
    assert "1.234" not in shown


@pytest.mark.parametrize("key", ["console.audit.verified", "console.audit.broken"])
def test_an_event_number_in_the_chain_badge_is_not_grouped(key: str) -> None:
    shown = i18n.t(key, "vi", seq=1235, upto=1234)

    assert "#1234" in shown
    assert "1.234" not in shown


@pytest.mark.parametrize(
    ("env", "written"),
    [({}, "Đã nhập 1.200 dòng: 1 đơn vị mới, 1.200 cán bộ mới"),
     ({"HYGIENE_LOCALE": "en"}, "Rows imported: 1,200. New units: 1, new officials: 1,200,")],
)  # fmt: skip
def test_the_cli_import_result_groups_its_counts(
    run_cli: Any, tmp_path: Path, env: dict[str, str], written: str
) -> None:
    sheet = write_csv(tmp_path / "ds.csv", _rows(), HEADER)

    done = run_cli("import", str(sheet), env=env)

    assert done.exit_code == 0, done.output
    assert written in done.stdout


@pytest.mark.parametrize(
    ("lang", "written"),
    [("vi", "Đã nhập 1.200 dòng"), ("en", "Rows imported: 1,200.")],
)
def test_the_console_import_result_groups_its_counts(
    client: TestClient, session: Session, tmp_path: Path, lang: str, written: str
) -> None:
    sign_in_as(client, session, "admin")
    data = write_csv(tmp_path / "ds.csv", _rows(), HEADER).read_bytes()

    page = client.post(
        f"/console/import?lang={lang}",
        data={"csrf_token": csrf(client, "/console/import")},
        files={"file": ("ds.csv", data)},
    )

    assert page.status_code == 200, page.text[:2000]
    assert written in page.text


@pytest.mark.parametrize(
    ("language", "written"),
    [("vi", "Tệp bị từ chối: 1.200 lỗi."), ("en", "File rejected: 1,200 error(s).")],
)
def test_the_api_rejection_groups_its_count(
    client: TestClient, session: Session, tmp_path: Path, language: str, written: str
) -> None:
    auth = {**bearer(session, "admin"), "Accept-Language": language}
    data = write_csv(tmp_path / "ds.csv", _rows(phone="12"), HEADER).read_bytes()

    response = client.post("/api/v1/import", files={"file": ("ds.csv", data)}, headers=auth)

    assert response.status_code == 422
    assert response.json()["message"].startswith(written)
