"""`hygiene exposures import FILE --source … --reference …` and `exposures list [ID]`."""

from pathlib import Path
from typing import Any

from sqlmodel import Session, select

from hygiene.inventory.models import Account
from hygiene.outbox.models import Message
from tests import factories as f


def _district(session: Session) -> None:
    unit = f.ident(f.unit(session, "UBND xã Bum Nưa"))
    hoa = f.ident(f.official(session, unit, "CB001", name="Lò Thị Hoa"))
    f.account(session, hoa, login="lo.hoa@xa.example")
    session.commit()


def test_it_imports_and_lists_with_masked_identifiers_only(
    run_cli: Any, session: Session, tmp_path: Path
) -> None:
    _district(session)
    leaked = tmp_path / "leak.txt"
    leaked.write_text("lo.hoa@xa.example:hunter2\nnobody@else.vn\n")

    done = run_cli(
        "exposures", "import", str(leaked), "--source", "Công an tỉnh Lai Châu",
        "--reference", "CV 123/CAT-PA05",
    )  # fmt: skip
    listed = run_cli("exposures", "list")
    matches = run_cli("exposures", "list", "1")

    assert done.exit_code == 0, done.output
    assert "2 mục, 1 khớp, 1 không khớp (không lưu)" in done.output
    assert "1 tài khoản của 1 cán bộ phải đổi mật khẩu ngay" in done.output
    assert "CV 123/CAT-PA05" in listed.output
    assert "lo***@…" in matches.output
    assert "chưa đổi" in matches.output
    for output in (done.output, listed.output, matches.output):
        assert "lo.hoa@xa.example" not in output
        assert "hunter2" not in output
        assert "nobody@else.vn" not in output


def test_it_needs_a_reference(run_cli: Any, tmp_path: Path) -> None:
    (tmp_path / "leak.txt").write_text("a@b.vn\n")
    result = run_cli(
        "exposures", "import", str(tmp_path / "leak.txt"), "--source", "CERT", "--reference", " "
    )
    assert result.exit_code == 1
    assert "số văn bản (--reference)" in result.output


def test_an_admin_flag_forces_rotate_now_with_its_reference(run_cli: Any, session: Session) -> None:
    _district(session)

    done = run_cli(
        "exposures", "flag", "CB001", "--system", "Email công vụ",
        "--source", "Công an huyện gọi điện", "--reference", "Phiếu 7/2026",
    )  # fmt: skip
    matches = run_cli("exposures", "list", "1")

    assert done.exit_code == 0, done.output
    assert "đã lên lịch 1 tin nhắn «đổi mật khẩu ngay»" in done.output
    assert "cán bộ quản trị đánh dấu" in matches.output
    session.expire_all()
    message = session.exec(select(Message)).one()
    assert (message.campaign, message.stage) == ("rotation", "now")
    assert session.exec(select(Account.compromised_at)).one() is not None


def test_flagging_an_unknown_account_names_it(run_cli: Any, session: Session) -> None:
    _district(session)
    done = run_cli(
        "exposures", "flag", "CB001", "--system", "Zalo", "--source", "x", "--reference", "y"
    )
    assert done.exit_code == 1
    assert "Cán bộ CB001 không có tài khoản «Zalo»." in done.output
