"""`hygiene units set-head UNIT EMPLOYEE_ID` names the head that escalations go to."""

from sqlmodel import Session

from hygiene.inventory.models import Unit
from tests import factories as f
from tests.conftest import RunCli


def test_set_head_names_the_head(run_cli: RunCli, session: Session) -> None:
    unit = f.unit(session, "Phòng Tư pháp")
    f.official(session, f.ident(unit), "TP01", name="Hà Thị Lan")
    session.commit()

    printed = run_cli("units", "set-head", "Phòng Tư pháp", "TP01")

    assert printed.exit_code == 0, printed.output
    assert "Đã chỉ định Hà Thị Lan (TP01) làm lãnh đạo đơn vị «Phòng Tư pháp»." in printed.output
    session.expire_all()
    assert session.get_one(Unit, unit.id).head_official_id is not None


def test_a_head_from_another_unit_is_refused(run_cli: RunCli, session: Session) -> None:
    f.unit(session, "Phòng Nội vụ")
    f.official(session, f.ident(f.unit(session, "Phòng Tư pháp")), "TP01")
    session.commit()

    printed = run_cli("units", "set-head", "Phòng Nội vụ", "TP01")

    assert printed.exit_code == 1
    assert "không thuộc đơn vị «Phòng Nội vụ»" in printed.stderr
