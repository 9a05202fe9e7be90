"""Small builders shared by tests: spreadsheets on disk, table snapshots, and a small disk to
fill up."""

import csv
import os
import shutil
import subprocess
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, text
from sqlmodel import SQLModel

from tests.conftest import PG_URL

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


@contextmanager
def tmpfs(folder: Path, size: str) -> Iterator[Path]:
    """A tmpfs of `size` (mount's spelling: "16m") mounted on `folder` for the block; skips the
    test where that is impossible (PostgreSQL leg, not root, no permission to mount)."""
    if PG_URL:
        pytest.skip("a full disk is tested on SQLite (PostgreSQL's disk is the server's)")
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a small tmpfs needs root: run the suite as root to test a full disk")
    folder.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)],
        capture_output=True,
        text=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


def fill(disk: Path) -> Path:
    """Zeros until the file system refuses (ENOSPC); the filler file, to free it later."""
    filler = disk / "filler"
    try:
        with filler.open("wb", buffering=0) as out:
            while True:
                out.write(b"\0" * 65536)
    except OSError:
        pass
    try:  # the last blocks, a page at a time
        with filler.open("ab", buffering=0) as out:
            while True:
                out.write(b"\0" * 512)
    except OSError:
        pass
    return filler


def write_xls(
    path: Path, rows: Sequence[Sequence[Any]] = ROWS, header: Sequence[str] = HEADER
) -> Path:
    """An Excel 97-2003 workbook (xlwt), days written as Excel dates in dd/mm/yyyy."""
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("Danh sách")
    day = xlwt.easyxf(num_format_str="DD/MM/YYYY")
    for row_index, row in enumerate([list(header), *map(list, rows)]):
        for column, value in enumerate(row):
            if isinstance(value, date):
                sheet.write(row_index, column, value, day)
            else:
                sheet.write(row_index, column, value)
    book.save(str(path))
    return path
