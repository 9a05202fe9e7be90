import json

from sqlmodel import Session

from tests.conftest import RunCli
from tests.reports.seed import seed


def test_the_cli_prints_a_csv_with_a_total_row(run_cli: RunCli, session: Session) -> None:
    seed(session)

    printed = run_cli("report", "compliance", "--format", "csv", "--as-of", "02/03/2026")

    lines = printed.stdout.strip().splitlines()
    assert lines[0] == (
        "unit,officials,accounts,on_time_pct,overdue,mfa_pct,browser_saved,advisory_ack_pct"
    )
    assert lines[-1] == "*,2,3,33.3,2,33.3,1,33.3"


def test_an_unknown_unit_is_one_translated_line(run_cli: RunCli, session: Session) -> None:
    printed = run_cli("report", "compliance", "--unit", "Không có")

    assert printed.exit_code == 1
    assert "Không có đơn vị «Không có»." in printed.stderr


def test_totp_prints_an_otpauth_uri(run_cli: RunCli, session: Session) -> None:
    from tests.web.staff import make_user

    make_user(session, "it@huyen.example", "admin")

    printed = run_cli("users", "totp", "it@huyen.example")
    listed = run_cli("users", "list", "--format", "json")

    assert printed.exit_code == 0, printed.output
    assert printed.stdout.startswith("otpauth://totp/hygiene:it%40huyen.example?secret=")
    assert json.loads(listed.stdout)[0]["totp"] is True


def test_a_bad_as_of_date_is_refused(run_cli: RunCli) -> None:
    printed = run_cli("report", "compliance", "--as-of", "31/02/2026")

    assert printed.exit_code == 2


def test_report_snapshot_stores_todays_figures_once(run_cli: RunCli, session: Session) -> None:
    from sqlalchemy import func
    from sqlmodel import select

    from hygiene.reports.models import ComplianceSnapshot

    seed(session)

    first = run_cli("report", "snapshot")
    again = run_cli("report", "snapshot")

    assert first.exit_code == 0, first.output
    assert again.stdout.strip().endswith(": 3 đơn vị.")
    assert session.exec(select(func.count()).select_from(ComplianceSnapshot)).one() == 3
