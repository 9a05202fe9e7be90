import csv
import io
from pathlib import Path

from openpyxl import load_workbook
from sqlalchemy import Engine
from sqlmodel import Session

from hygiene.inventory import exporter
from tests.helpers import ROWS, snapshot, write_csv
from tests.inventory.test_importer import run_import


def export_to(session: Session, path: Path, fmt: str, lang: str = "en") -> Path:
    with path.open("wb") as handle:
        exporter.export(session, handle, fmt=fmt, lang=lang)
    return path


def test_export_then_import_changes_nothing_in_csv_and_xlsx(
    session: Session, engine: Engine, tmp_path: Path, audit_key: bytes
) -> None:
    run_import(session, write_csv(tmp_path / "in.csv"), audit_key)
    before = snapshot(engine)

    for fmt, lang in [("csv", "en"), ("xlsx", "en"), ("csv", "vi"), ("xlsx", "vi")]:
        path = export_to(session, tmp_path / f"out-{lang}.{fmt}", fmt, lang)
        result = run_import(session, path, audit_key)
        assert (result.changed, result.unchanged) == (False, 3), (fmt, lang)

    assert snapshot(engine) == before


def test_vietnamese_diacritics_survive_import_database_export(
    session: Session, tmp_path: Path, audit_key: bytes
) -> None:
    run_import(session, write_csv(tmp_path / "in.csv"), audit_key)

    text = export_to(session, tmp_path / "out.csv", "csv").read_text("utf-8-sig")
    workbook = load_workbook(export_to(session, tmp_path / "out.xlsx", "xlsx"))
    cells = {c for row in workbook.worksheets[0].iter_rows(values_only=True) for c in row}

    for expected in ["Nguyễn Thị Hương", "Lò Văn Đức", "UBND xã Bình An", "Email công vụ"]:
        assert expected in text
        assert expected in cells


def test_cells_that_look_like_formulas_are_escaped(
    session: Session, tmp_path: Path, audit_key: bytes
) -> None:
    hostile = [
        "CB666",
        "=cmd|' /C calc'!A0",
        "@SUM(1+1)",
        "x@y.example",
        "",
        "vi",
        "-2+3",
        "other",
        "+login",
        "",
        "",
    ]
    run_import(session, write_csv(tmp_path / "in.csv", [hostile]), audit_key)

    rows = list(
        csv.reader(
            io.StringIO(export_to(session, tmp_path / "o.csv", "csv").read_text("utf-8-sig"))
        )
    )
    sheet = load_workbook(export_to(session, tmp_path / "o.xlsx", "xlsx")).worksheets[0]

    assert rows[1][1:4] == ["'=cmd|' /C calc'!A0", "'@SUM(1+1)", "x@y.example"]
    assert rows[1][6] == "'-2+3"
    assert rows[1][8] == "'+login"
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def test_vietnamese_headers_and_yes_no(session: Session, tmp_path: Path, audit_key: bytes) -> None:
    run_import(session, write_csv(tmp_path / "in.csv", ROWS[:1]), audit_key)

    rows = list(
        csv.reader(
            io.StringIO(export_to(session, tmp_path / "o.csv", "csv", "vi").read_text("utf-8-sig"))
        )
    )

    assert rows[0][:3] == ["Mã cán bộ", "Họ và tên", "Đơn vị"]
    assert rows[1][9:] == ["15/01/2026", "có", ""]
