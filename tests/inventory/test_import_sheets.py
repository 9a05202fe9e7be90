"""Spreadsheets as offices make them: title rows, merged two-row headers, their own words."""

import csv
from collections.abc import Sequence
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from sqlmodel import Session

from hygiene.errors import ImportRejected
from hygiene.inventory import importer
from hygiene.inventory.models import Account, Official
from tests.conftest import NOW
from tests.helpers import snapshot
from tests.inventory.test_importer import CONTEXT


def run(session: Session, path: Path, key: bytes) -> importer.ImportResult:
    result = importer.import_file(session, path, context=CONTEXT, key=key, now=NOW, actor="t")
    session.commit()
    return result


def office_workbook(path: Path, rows: Sequence[Sequence[object]]) -> Path:
    """Two title lines, a blank row, then a header over rows 4-5: some cells merged down
    (one column), group cells merged across ("Tài khoản" over three sub-columns)."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet["A1"] = "ỦY BAN NHÂN DÂN HUYỆN MƯỜNG TÈ"
    sheet.merge_cells("A1:H1")
    sheet["A2"] = "DANH SÁCH TÀI KHOẢN CỦA CÁN BỘ, CÔNG CHỨC NĂM 2026"
    sheet.merge_cells("A2:H2")
    for column, title in zip(
        "ABCD", ["Mã cán bộ", "Họ và tên", "Đơn vị", "Số điện thoại"], strict=True
    ):
        sheet[f"{column}4"] = title
        sheet.merge_cells(f"{column}4:{column}5")
    sheet["E4"] = "Tài khoản"
    sheet.merge_cells("E4:G4")
    sheet["E5"], sheet["F5"], sheet["G5"] = "Hệ thống", "Loại", "Tên đăng nhập"
    sheet["H4"], sheet["H5"] = "Ngày đổi", "mật khẩu"  # one name over two lines
    for row in rows:
        sheet.append(list(row))
    book.save(path)
    return path


ROW = [
    "CB001",
    "Nguyễn Thị Hương",
    "Phòng Nội vụ",
    "0912345678",
    "Zalo",
    "Nhắn tin",
    "huong",
    "15/01/2026",
]


def test_it_finds_a_merged_two_row_header_under_a_two_line_title(
    session: Session, tmp_path: Path, audit_key: bytes
) -> None:
    path = office_workbook(tmp_path / "office.xlsx", [ROW])

    result = run(session, path, audit_key)

    assert (result.officials_created, result.accounts_created) == (1, 1)
    account = session.execute(select(Account)).scalar_one()
    assert (account.system, account.kind, account.login) == ("Zalo", "messaging", "huong")
    assert account.last_rotated_on == date(2026, 1, 15)


def test_errors_in_a_two_row_header_file_name_its_own_header_and_line(
    session: Session, engine: Engine, tmp_path: Path, audit_key: bytes
) -> None:
    bad = [*ROW[:3], "0912", *ROW[4:7], "31/02/2026"]
    path = office_workbook(tmp_path / "office.xlsx", [ROW, bad])
    before = snapshot(engine)

    with pytest.raises(ImportRejected) as caught:
        run(session, path, audit_key)

    found = {(p.line, p.column, p.value) for p in caught.value.problems}
    assert found == {(7, "Số điện thoại", "0912"), (7, "Ngày đổi mật khẩu", "31/02/2026")}
    session.rollback()
    assert snapshot(engine) == before


def test_a_csv_with_title_and_blank_rows_above_the_header_imports(
    session: Session, tmp_path: Path, audit_key: bytes
) -> None:
    path = tmp_path / "a.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(["DANH SÁCH TÀI KHOẢN"])
        writer.writerow([])
        writer.writerow(["Mã CB", "Họ tên", "Đơn vị", "SĐT", "Tên hệ thống", "Loại tài khoản"])
        writer.writerow(["CB002", "Lò Văn Đức", "UBND xã", "0987654321", "Facebook", "MXH"])
        writer.writerow(["CB003", "Lò Thị Mai", "UBND xã", "0987654322", "Gmail", ""])

    with pytest.raises(ImportRejected) as caught:
        run(session, path, audit_key)

    [problem] = caught.value.problems
    assert (problem.line, problem.column, problem.value) == (4, "Loại tài khoản", "MXH")


def test_a_header_not_in_the_first_ten_rows_names_the_missing_columns(
    session: Session, tmp_path: Path, audit_key: bytes
) -> None:
    path = tmp_path / "a.csv"
    path.write_text("\n" * 11 + "Mã cán bộ,Họ và tên,Đơn vị,Hệ thống\nCB1,A,B,Zalo\n", "utf-8")

    with pytest.raises(ImportRejected) as caught:
        run(session, path, audit_key)

    [problem] = caught.value.problems
    assert problem.code == "importer.header_not_found"
    assert "Mã cán bộ, Họ và tên, Đơn vị, Hệ thống" in problem.render("vi")


def test_a_landline_is_imported_with_a_warning(
    session: Session, tmp_path: Path, audit_key: bytes
) -> None:
    row = [*ROW[:3], "024 3825 1234", *ROW[4:]]

    result = run(session, office_workbook(tmp_path / "a.xlsx", [row]), audit_key)

    official = session.execute(select(Official)).scalar_one()
    assert official.phone == "+842438251234"
    [warning] = result.warnings
    assert (warning.line, warning.column, warning.code) == (6, "Số điện thoại", "importer.landline")
    assert "không nhận được SMS" in warning.render("vi")
