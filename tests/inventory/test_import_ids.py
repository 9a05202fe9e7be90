"""Employee ids: NFKC, letters, digits and - _ . / from one script; look-alikes refused."""

from pathlib import Path

import pytest
from sqlmodel import Session

from hygiene.errors import ImportRejected
from hygiene.inventory import values
from tests.helpers import write_csv
from tests.inventory.test_import_sheets import run

HEADER = ["Mã cán bộ", "Họ và tên", "Đơn vị", "Email", "Hệ thống"]


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("CB\u200b001", "employee_id.invisible"),  # zero-width space
        ("CB\u2060001", "employee_id.invisible"),  # word joiner
        ("CB\x07001", "employee_id.invisible"),  # control character
        ("\u041cCB001", "employee_id.mixed_script"),  # Cyrillic М among Latin letters
        ("CB 001", "employee_id.bad_char"),
        ("CB#001", "employee_id.bad_char"),
    ],
)
def test_look_alike_and_invisible_ids_are_refused(raw: str, code: str) -> None:
    with pytest.raises(values.FieldError) as caught:
        values.employee_id(raw)
    assert caught.value.code == code


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("ＣＢ００１", "CB001"), ("UB-TP/2026.01_a", "UB-TP/2026.01_a"), ("Đ001", "Đ001")],
)
def test_ids_are_nfkc_normalised(raw: str, expected: str) -> None:
    assert values.employee_id(raw) == expected


def test_a_cyrillic_letter_in_an_id_is_refused_with_line_and_column(
    session: Session, tmp_path: Path, audit_key: bytes
) -> None:
    rows = [
        ["CB001", "Nguyễn Thị Hương", "Phòng Nội vụ", "h@xa.example", "Zalo"],
        ["CB\u041c01", "Kẻ giả mạo", "Phòng Nội vụ", "x@xa.example", "Zalo"],
    ]

    with pytest.raises(ImportRejected) as caught:
        run(session, write_csv(tmp_path / "a.csv", rows, HEADER), audit_key)

    [problem] = caught.value.problems
    assert (problem.line, problem.column, problem.code) == (
        3,
        "Mã cán bộ",
        "employee_id.mixed_script",
    )
    assert "CYRILLIC" in problem.render("en")
