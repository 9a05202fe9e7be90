"""One query layer: `hygiene report compliance --format json` prints what the API serves."""

import json

from fastapi.testclient import TestClient
from sqlmodel import Session

from tests.conftest import RunCli
from tests.reports.seed import seed
from tests.web.staff import bearer


def test_the_cli_prints_the_same_numbers_as_the_api(
    run_cli: RunCli, client: TestClient, session: Session
) -> None:
    seed(session)
    auth = bearer(session, "security")

    printed = run_cli("report", "compliance", "--format", "json", "--as-of", "2026-03-02")
    served = client.get("/api/v1/reports/compliance", params={"as_of": "2026-03-02"}, headers=auth)

    assert printed.exit_code == 0, printed.output
    assert json.loads(printed.stdout) == served.json()


def test_the_cli_and_the_api_agree_for_one_unit(
    run_cli: RunCli, client: TestClient, session: Session
) -> None:
    seed(session)
    auth = bearer(session, "security")

    printed = run_cli(
        "report",
        "compliance",
        "--unit",
        "Phòng Nội vụ",
        "--format",
        "json",
        "--as-of",
        "02/03/2026",
    )
    served = client.get(
        "/api/v1/reports/compliance",
        params={"unit": "Phòng Nội vụ", "as_of": "2026-03-02"},
        headers=auth,
    )

    assert json.loads(printed.stdout) == served.json()
    assert served.json()["units"][0]["on_time_pct"] == 50.0
