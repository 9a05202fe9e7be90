"""`hygiene incidents list` for the security officer."""

import json

from sqlmodel import Session

from hygiene.incidents import service as incidents
from tests import factories as f
from tests.conftest import NOW, RunCli


def test_it_lists_reports_as_json(run_cli: RunCli, session: Session, audit_key: bytes) -> None:
    official = f.official(session, f.ident(f.unit(session)), "CB009")
    incidents.report(
        session,
        official_id=f.ident(official),
        actor="official:CB009",
        channel="email",
        occurred_on=None,
        description="Email giả mạo đòi tiền",
        today=NOW.date(),
        now=NOW,
        key=audit_key,
    )
    session.commit()

    result = run_cli("incidents", "list", "--format", "json")

    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert rows[0]["employee_id"] == "CB009"
    assert rows[0]["description"] == "Email giả mạo đòi tiền"


def test_it_says_when_there_is_nothing(run_cli: RunCli) -> None:
    result = run_cli("incidents", "list")

    assert result.exit_code == 0
    assert "Chưa có báo cáo nào." in result.output
