"""Small builders shared by tests: spreadsheets on disk and table snapshots."""

import csv
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, text
from sqlmodel import SQLModel

HEADER = [
    "employee_id",
    "full_name",
    "unit",
    "email",
    "phone",
    "locale",
    "system",
    "kind",
    "login",
    "last_rotated",
    "mfa",
]

ROWS = [
    [
        "CB001",
        "Nguyễn Thị Hương",
        "Phòng Nội vụ",
        "Huong.NT@xa.example",
        "0912 345 678",
        "vi",
        "Email công vụ",
        "email",
        "huong.nt@xa.example",
        "15/01/2026",
        "có",
    ],
    [
        "CB001",
        "Nguyễn Thị Hương",
        "Phòng Nội vụ",
        "huong.nt@xa.example",
        "0912.345.678",
        "",
        "Zalo",
        "zalo",
        "0912345678",
        "",
        "không",
    ],
    [
        "CB002",
        "Lò Văn Đức",
        "UBND xã Bình An",
        "",
        "+84 98 765 4321",
        "en",
        "Facebook",
        "social",
        "lo.duc",
        "2025-12-01",
        "yes",
    ],
]


def write_csv(
    path: Path,
    rows: Sequence[Sequence[Any]] = ROWS,
    header: Sequence[str] = HEADER,
    *,
    delimiter: str = ",",
    bom: bool = False,
) -> Path:
    with path.open("w", encoding="utf-8-sig" if bom else "utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=delimiter)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def write_xlsx(
    path: Path, rows: Sequence[Sequence[Any]] = ROWS, header: Sequence[str] = HEADER
) -> Path:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    workbook.save(path)
    return path


def snapshot(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, to prove that something changed nothing."""
    # Table names come from our own metadata, not from input.
    with engine.connect() as connection:
        return {
            table.name: sorted(
                map(tuple, connection.execute(text(f'SELECT * FROM "{table.name}"'))), key=repr
            )
            for table in SQLModel.metadata.sorted_tables
        }
