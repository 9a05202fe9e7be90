from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select
from sqlmodel import Session, col

from hygiene.audit import service as audit
from hygiene.errors import ImportRejected, InvalidInput
from hygiene.inventory import importer
from hygiene.inventory.kinds import KindNames
from hygiene.inventory.models import Account, Official, Unit
from hygiene.inventory.schemas import ValidationContext
from hygiene.settings import default_policies
from tests.conftest import NOW
from tests.helpers import HEADER, ROWS, snapshot, write_csv, write_xls, write_xlsx

CONTEXT = ValidationContext(
    today=date(2026, 3, 2), kinds=KindNames.from_policies(default_policies())
)


def run_import(session: Session, path: Path, key: bytes, **kwargs: Any) -> importer.ImportResult:
    result = importer.import_file(
        session, path, context=CONTEXT, key=key, now=NOW, actor="test", **kwargs
    )
    session.commit()
    return result


def test_it_imports_officials_accounts_and_units(
    session: Session, tmp_path: Path, audit_key: bytes
) -> None:
    result = run_import(session, write_csv(tmp_path / "a.csv"), audit_key)

    assert (result.units_created, result.officials_created, result.accounts_created) == (2, 2, 3)
    official = session.execute(
        select(Official).where(col(Official.employee_id) == "CB001")
    ).scalar_one()
    assert official.email == "huong.nt@xa.example"
    assert official.phone == "+84912345678"
    assert official.full_name == "Nguyễn Thị Hương"
    other = session.execute(
        select(Official).where(col(Official.employee_id) == "CB002")
    ).scalar_one()
    assert (other.phone, other.locale, other.email) == ("+84987654321", "en", None)
    accounts = session.execute(select(Account).order_by(Account.system)).scalars().all()
    assert [(a.system, a.last_rotated_on, a.mfa) for a in accounts] == [
        ("Email công vụ", date(2026, 1, 15), True),
        ("Facebook", date(2025, 12, 1), True),
        ("Zalo", None, False),
    ]


def test_it_appends_an_audit_event_per_change(
    session: Session, tmp_path: Path, audit_key: bytes
) -> None:
    run_import(session, write_csv(tmp_path / "a.csv"), audit_key)

    actions = [e["action"] for e in audit.export_rows(session)]
    assert actions.count("unit.created") == 2
    assert actions.count("official.created") == 2
    assert actions.count("account.created") == 3
    assert actions[-1] == "import.completed"
    assert audit.verify(session, key=audit_key).ok


def test_it_changes_nothing_on_reimport(
    session: Session, engine: Engine, tmp_path: Path, audit_key: bytes
) -> None:
    path = write_csv(tmp_path / "a.csv")
    run_import(session, path, audit_key)
    before = snapshot(engine)

    result = run_import(session, path, audit_key)

    assert not result.changed
    assert result.unchanged == 3
    assert snapshot(engine) == before


def test_it_accepts_semicolons_bom_and_vietnamese_headers(
    session: Session, tmp_path: Path, audit_key: bytes
) -> None:
    header = [
        "Mã cán bộ",
        "Họ và tên",
        "Đơn vị",
        "Email",
        "Số điện thoại",
        "Ngôn ngữ",
        "Hệ thống",
        "Loại",
        "Tên đăng nhập",
        "Ngày đổi mật khẩu",
        "Xác thực hai lớp",
    ]
    path = write_csv(tmp_path / "vi.csv", header=header, delimiter=";", bom=True)

    result = run_import(session, path, audit_key)

    assert result.accounts_created == 3
    names = set(session.execute(select(col(Unit.name))).scalars())
    assert names == {"Phòng Nội vụ", "UBND xã Bình An"}


@pytest.mark.parametrize(
    ("write", "name"),
    [(write_xlsx, "a.xlsx"), (write_xls, "a.xls"), (write_xls, "renamed.xlsx")],
    ids=["xlsx", "xls", "xls-renamed-xlsx"],
)
def test_it_imports_a_workbook_with_numbers_and_dates(
    session: Session, tmp_path: Path, audit_key: bytes, write: Any, name: str
) -> None:
    rows = [
        [
            "CB009",
            "Hoàng Văn Sơn",
            "Phòng Tư pháp",
            "",
            912345678,
            "vi",
            "Zalo",
            "zalo",
            "son",
            date(2026, 2, 1),
            1,
        ]
    ]
    run_import(session, write(tmp_path / name, rows), audit_key)

    official = session.execute(select(Official)).scalar_one()
    account = session.execute(select(Account)).scalar_one()
    assert official.phone == "+84912345678"
    assert (account.last_rotated_on, account.mfa) == (date(2026, 2, 1), True)


def test_it_rejects_bad_rows_naming_line_and_column_and_changes_nothing(
    session: Session, engine: Engine, tmp_path: Path, audit_key: bytes
) -> None:
    run_import(session, write_csv(tmp_path / "good.csv"), audit_key)
    before = snapshot(engine)
    bad = [
        ROWS[0],
        [
            "CB003",
            "Trần Văn Nam",
            "Phòng Nội vụ",
            "nam@",
            "0912",
            "vi",
            "Zalo",
            "zalo",
            "nam",
            "31/02/2026",
            "maybe",
        ],
        [
            "CB004",
            "",
            "Phòng Nội vụ",
            "a@b.vn",
            "",
            "vi",
            "Zalo",
            "banking",
            "x",
            "01/01/2030",
            "no",
        ],
    ]
    with pytest.raises(ImportRejected) as caught:
        run_import(session, write_csv(tmp_path / "bad.csv", bad), audit_key)

    found = {(p.line, p.column, p.code) for p in caught.value.problems}
    assert found == {
        (3, "email", "email.invalid"),
        (3, "phone", "phone.invalid"),
        (3, "last_rotated", "date.invalid"),
        (3, "mfa", "bool.invalid"),
        (4, "full_name", "value.required"),
        (4, "kind", "kind.invalid"),
        (4, "last_rotated", "date.future"),
    }
    assert caught.value.problems[0].render("vi").startswith("dòng 3, cột ")
    session.rollback()
    assert snapshot(engine) == before


def test_it_rejects_a_changed_value_for_the_same_official_within_one_file(
    session: Session, tmp_path: Path, audit_key: bytes
) -> None:
    rows = [ROWS[0], [*ROWS[1][:2], "Phòng Tài chính", *ROWS[1][3:]]]
    with pytest.raises(ImportRejected) as caught:
        run_import(session, write_csv(tmp_path / "a.csv", rows), audit_key)

    assert [(p.line, p.column, p.params) for p in caught.value.problems] == [
        (3, "unit", {"other": 2})
    ]


def test_it_reports_every_row_that_disagrees_with_the_officials_first_row(
    session: Session, tmp_path: Path, audit_key: bytes
) -> None:
    def row(unit: str, system: str) -> list[str]:
        return [*ROWS[0][:2], unit, *ROWS[0][3:6], system, *ROWS[0][7:]]

    rows = [row("A", "s1"), row("A", "s2"), row("B", "s3"), row("B", "s4"), row("A", "s5")]
    with pytest.raises(ImportRejected) as caught:
        run_import(session, write_csv(tmp_path / "a.csv", rows), audit_key)

    assert [(p.line, p.column, p.params) for p in caught.value.problems] == [
        (4, "unit", {"other": 2}),
        (5, "unit", {"other": 2}),
    ]
    assert caught.value.total == 2


def test_it_rejects_the_same_account_twice(
    session: Session, tmp_path: Path, audit_key: bytes
) -> None:
    with pytest.raises(ImportRejected) as caught:
        run_import(session, write_csv(tmp_path / "a.csv", [ROWS[0], ROWS[0]]), audit_key)

    assert [(p.line, p.code) for p in caught.value.problems] == [(3, "import.duplicate_account")]


@pytest.mark.parametrize(
    ("write", "name"), [(write_csv, "a.csv"), (write_xlsx, "a.xlsx"), (write_xls, "a.xls")]
)
def test_it_refuses_a_password_column_without_reading_it(
    session: Session, tmp_path: Path, audit_key: bytes, write: Any, name: str
) -> None:
    canary = "Canary#Pw-7731"
    path = write(tmp_path / name, [[*ROWS[0], canary]], header=[*HEADER, "Mật khẩu"])

    with pytest.raises(ImportRejected) as caught:
        run_import(session, path, audit_key)

    [problem] = caught.value.problems
    assert (problem.line, problem.column, problem.code) == (1, "Mật khẩu", "import.password_column")
    assert canary not in problem.render("vi") + problem.render("en")


def test_it_names_missing_required_columns(
    session: Session, tmp_path: Path, audit_key: bytes
) -> None:
    path = write_csv(tmp_path / "a.csv", [r[:6] for r in ROWS], header=HEADER[:6])

    with pytest.raises(ImportRejected) as caught:
        run_import(session, path, audit_key)

    assert {p.field for p in caught.value.problems} == {"system"}
    assert caught.value.problems[0].column == "Hệ thống / system"


def test_dry_run_reports_changes_and_writes_nothing(
    session: Session, engine: Engine, tmp_path: Path, audit_key: bytes
) -> None:
    before = snapshot(engine)

    result = importer.import_file(
        session,
        write_csv(tmp_path / "a.csv"),
        context=CONTEXT,
        key=audit_key,
        now=NOW,
        actor="t",
        dry_run=True,
    )
    session.rollback()

    assert (result.officials_created, result.accounts_created) == (2, 3)
    assert snapshot(engine) == before


def test_a_blank_cell_keeps_the_stored_value_and_dates_only_move_forward(
    session: Session, tmp_path: Path, audit_key: bytes
) -> None:
    run_import(session, write_csv(tmp_path / "a.csv"), audit_key)
    older = [[*ROWS[0][:3], "", "", "", *ROWS[0][6:9], "01/01/2026", ""]]

    result = run_import(session, write_csv(tmp_path / "b.csv", older), audit_key)

    official = session.execute(
        select(Official).where(col(Official.employee_id) == "CB001")
    ).scalar_one()
    account = session.execute(
        select(Account).where(col(Account.system) == "Email công vụ")
    ).scalar_one()
    assert not result.changed
    assert official.email == "huong.nt@xa.example"
    assert (account.last_rotated_on, account.mfa) == (date(2026, 1, 15), True)


def test_an_update_records_before_and_after(
    session: Session, tmp_path: Path, audit_key: bytes
) -> None:
    run_import(session, write_csv(tmp_path / "a.csv"), audit_key)
    moved = [[*ROWS[2][:2], "Phòng Nội vụ", *ROWS[2][3:9], "20/02/2026", "yes"]]

    result = run_import(session, write_csv(tmp_path / "b.csv", moved), audit_key)

    assert (result.officials_updated, result.accounts_updated) == (1, 1)
    events = {e["action"]: e for e in audit.export_rows(session)}
    assert events["official.updated"]["data"] == {
        "before": {"unit": "UBND xã Bình An"},
        "after": {"unit": "Phòng Nội vụ"},
    }
    assert events["account.updated"]["data"] == {
        "before": {"last_rotated_on": "2025-12-01"},
        "after": {"last_rotated_on": "2026-02-20"},
    }


def test_it_rejects_unknown_formats_and_non_utf8(
    session: Session, tmp_path: Path, audit_key: bytes
) -> None:
    (tmp_path / "a.ods").write_bytes(b"x")
    (tmp_path / "b.csv").write_bytes(
        "Mã cán bộ,Họ và tên\n".encode("cp1252", errors="replace") + b"\xff\xfe"
    )

    with pytest.raises(InvalidInput) as first:
        run_import(session, tmp_path / "a.ods", audit_key)
    with pytest.raises(InvalidInput) as second:
        run_import(session, tmp_path / "b.csv", audit_key)

    assert (first.value.code, second.value.code) == ("import.save_as_xlsx", "import.not_utf8")
    assert "«Lưu thành» (Save As) «Excel Workbook (.xlsx)»" in first.value.render("vi")


def test_a_locked_or_damaged_workbook_says_what_to_do(
    session: Session, tmp_path: Path, audit_key: bytes
) -> None:
    # A workbook locked with an opening password is an OLE2 file without a Workbook stream
    # (an .xlsx one holds EncryptedPackage): an .xls whose stream is renamed stands for one.
    book = write_xls(tmp_path / "source.xls").read_bytes()
    stream = "Workbook".encode("utf-16-le")
    assert book.count(stream) == 1
    (tmp_path / "locked.xlsx").write_bytes(book.replace(stream, "Encryptd".encode("utf-16-le")))
    (tmp_path / "damaged.xls").write_bytes(book[: len(book) // 3])
    (tmp_path / "danh-sach.pdf").write_bytes(b"%PDF-1.7")

    with pytest.raises(InvalidInput) as locked:
        run_import(session, tmp_path / "locked.xlsx", audit_key)
    with pytest.raises(InvalidInput) as damaged:
        run_import(session, tmp_path / "damaged.xls", audit_key)
    with pytest.raises(InvalidInput) as other:
        run_import(session, tmp_path / "danh-sach.pdf", audit_key)

    assert "được đặt mật khẩu mở nên không đọc được" in locked.value.render("vi")
    assert "File > Info > Protect Workbook" in locked.value.render("en")
    assert "Không đọc được tệp Excel 97-2003 damaged.xls: tệp bị hỏng" in damaged.value.render("vi")
    assert other.value.code == "import.unknown_format"
    assert session.execute(select(Official)).scalars().all() == []


def test_an_excel_error_never_shows_the_files_bytes(
    session: Session, tmp_path: Path, audit_key: bytes
) -> None:
    canary = "Canary#Pw-7731"
    book = write_xls(tmp_path / "source.xls").read_bytes()
    assert book[512:514] == b"\x09\x08"  # the BOF record opening the Workbook stream
    (tmp_path / "bof.xls").write_bytes(book[:512] + canary[:8].encode() + book[520:])
    (tmp_path / "export.xls").write_text(f"{canary},Lò Văn Chín\n", "utf-8")  # CSV named .xls

    with pytest.raises(InvalidInput) as bof:
        run_import(session, tmp_path / "bof.xls", audit_key)  # xlrd quotes b'Canary#P'
    with pytest.raises(InvalidInput) as text:
        run_import(session, tmp_path / "export.xls", audit_key)

    assert "Expected BOF record; found …" in bof.value.render("en")
    assert text.value.code == "import.not_excel"
    assert "HTML hoặc văn bản CSV" in text.value.render("vi")
    for shown in (bof.value.render("vi"), bof.value.render("en"), text.value.render("vi")):
        assert canary[:8] not in shown


def test_a_new_official_needs_an_email_or_a_phone(
    session: Session, tmp_path: Path, audit_key: bytes
) -> None:
    row = ["CB010", "Đỗ Thị Mai", "Phòng Nội vụ", "", "", "vi", "Zalo", "zalo", "mai", "", ""]

    with pytest.raises(ImportRejected) as caught:
        run_import(session, write_csv(tmp_path / "a.csv", [row]), audit_key)

    assert [(p.line, p.column, p.code) for p in caught.value.problems] == [
        (2, "email", "import.no_contact")
    ]
