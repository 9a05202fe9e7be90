"""`hygiene advisories add --unit …`: the CLI publishes to an audience, like the console and API."""

from pathlib import Path

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from hygiene.audit.models import AuditEvent
from hygiene.db import session_scope
from hygiene.inventory.models import Official
from hygiene.outbox.models import Message
from tests import factories as f
from tests.conftest import RunCli

COMMUNE = "UBND xã Bum Tở"
OFFICE = "Phòng Nội vụ"


def _district(engine: Engine) -> None:
    with session_scope(engine) as session:
        for unit_name, people in ((COMMUNE, ("XA01", "XA02")), (OFFICE, ("NV01",))):
            unit = f.ident(f.unit(session, unit_name))
            for employee_id in people:
                f.official(session, unit, employee_id)


def _add(run_cli: RunCli, tmp_path: Path, *units: str) -> str:
    body = tmp_path / "body.txt"
    body.write_text("Không chuyển tiền theo tin nhắn đe dọa; báo công an.", "utf-8")
    options = [option for name in units for option in ("--unit", name)]
    result = run_cli(
        "advisories", "add", "--title", "Tống tiền", "--body-file", str(body), *options
    )
    assert result.exit_code == 0 or units, result.output
    return result.output


def _digested(engine: Engine) -> list[str]:
    """The employee ids of the officials who got a digest."""
    with Session(engine) as session:
        query = (
            select(col(Official.employee_id))
            .join(Message, col(Message.official_id) == col(Official.id))
            .where(col(Message.campaign) == "digest")
            .order_by(col(Official.employee_id))
        )
        return list(session.exec(query).all())


def test_it_digests_an_advisory_for_its_units_only(
    engine: Engine, run_cli: RunCli, tmp_path: Path
) -> None:
    _district(engine)
    output = _add(run_cli, tmp_path, COMMUNE)
    run_cli("run", "plan", "--campaign", "digest")
    assert _digested(engine) == ["XA01", "XA02"]
    assert f"Gửi tới cán bộ của: {COMMUNE}" in output


def test_it_digests_an_advisory_without_units_for_everyone(
    engine: Engine, run_cli: RunCli, tmp_path: Path
) -> None:
    _district(engine)
    output = _add(run_cli, tmp_path)
    run_cli("run", "plan", "--campaign", "digest")
    assert _digested(engine) == ["NV01", "XA01", "XA02"]
    assert "Gửi tới: mọi cán bộ" in output


def test_it_takes_several_units(engine: Engine, run_cli: RunCli, tmp_path: Path) -> None:
    _district(engine)
    _add(run_cli, tmp_path, COMMUNE, OFFICE)
    run_cli("run", "plan", "--campaign", "digest")
    assert _digested(engine) == ["NV01", "XA01", "XA02"]


def test_it_logs_the_audience(engine: Engine, run_cli: RunCli, tmp_path: Path) -> None:
    _district(engine)
    _add(run_cli, tmp_path, COMMUNE)
    with Session(engine) as session:
        event = session.exec(
            select(AuditEvent).where(col(AuditEvent.action) == "advisory.audience")
        ).one()
    assert COMMUNE in event.data


def test_it_publishes_nothing_for_an_unknown_unit(
    engine: Engine, run_cli: RunCli, tmp_path: Path
) -> None:
    _district(engine)
    body = tmp_path / "body.txt"
    body.write_text("Nội dung", "utf-8")
    result = run_cli(
        "advisories", "add", "--title", "T", "--body-file", str(body), "--unit", "Xã không có"
    )
    assert result.exit_code == 1
    assert "Xã không có" in result.output
    assert run_cli("advisories", "list", "--format", "json").output.strip() == "[]"
