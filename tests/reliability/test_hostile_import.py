"""Hostile spreadsheets: random bytes, damaged XLSX, huge cells, random unicode and formula
injection in every column. The importer imports or refuses (ImportRejected / InvalidInput) and
writes nothing when it refuses; whatever it imported is exported with formulas escaped."""

import csv
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from sqlalchemy import Engine
from sqlmodel import Session

from hygiene.errors import ImportRejected, InvalidInput
from hygiene.inventory import exporter, importer
from hygiene.tabular import FORMULA_STARTS
from tests.conftest import NOW
from tests.helpers import HEADER, ROWS, snapshot, write_csv, write_xlsx
from tests.inventory.test_importer import CONTEXT

FUZZ = settings(
    phases=[Phase.explicit, Phase.reuse, Phase.generate],  # no shrinking: bounded time
    max_examples=50,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
FORMULAS = ["=cmd|' /C calc'!A0", "+1+1", "-2", "@SUM(1)", "\t=1", "\r=1", "=1+1", "=HYPERLINK(x)"]
HUGE = 100_000
hostile_cell = st.one_of(
    st.sampled_from(FORMULAS),
    st.text(max_size=40),
    st.builds(lambda prefix, body: prefix + body, st.sampled_from(FORMULAS), st.text(max_size=20)),
    st.sampled_from(["<huge>", "<huge formula>"]),  # expanded in the test: reprs stay small
)
HUGE_CELLS = {"<huge>": "x" * HUGE, "<huge formula>": "=" + "A" * HUGE}


def attempt(session: Session, engine: Engine, path: Path, key: bytes) -> bool:
    """Import `path`; True when imported. A refusal must leave every table as it was."""
    before = snapshot(engine)
    try:
        importer.import_file(session, path, context=CONTEXT, key=key, now=NOW, actor="fuzz")
    except (ImportRejected, InvalidInput):
        session.commit()  # even a careless caller that commits must find nothing written
        assert snapshot(engine) == before
        return False
    session.commit()
    return True


def exported_cells(session: Session, fmt: str) -> Iterator[Any]:
    buffer = io.BytesIO()
    exporter.export(session, buffer, fmt=fmt)
    buffer.seek(0)
    if fmt == "csv":
        for row in csv.reader(io.StringIO(buffer.getvalue().decode("utf-8-sig"), newline="")):
            yield from row
        return
    workbook = load_workbook(buffer)
    for cells in workbook.worksheets[0].iter_rows():
        for cell in cells:
            assert cell.data_type != "f", cell.value
            yield cell.value


def assert_exports_are_escaped(session: Session) -> None:
    try:
        for fmt in ("csv", "xlsx"):
            for value in exported_cells(session, fmt):
                if isinstance(value, str):
                    assert not value.startswith(FORMULA_STARTS), (fmt, value[:40])
    finally:
        session.rollback()  # SQLite: end the read transaction before the next snapshot


def hostile_rows(column: int, cells: list[str]) -> list[list[str]]:
    """The sample rows with hostile values in one column."""
    rows = [list(row) for row in ROWS]
    for row, cell in zip(rows, cells, strict=False):
        row[column] = cell
    return rows


@FUZZ
@given(content=st.binary(max_size=2048), suffix=st.sampled_from([".csv", ".xlsx"]))
def test_random_bytes_are_imported_or_refused_cleanly(
    session: Session, engine: Engine, tmp_path: Path, audit_key: bytes, content: bytes, suffix: str
) -> None:
    path = tmp_path / f"random{suffix}"
    path.write_bytes(content)

    attempt(session, engine, path, audit_key)


@FUZZ
@given(offset=st.integers(min_value=0), garbage=st.binary(min_size=1, max_size=64))
def test_a_damaged_xlsx_is_imported_or_refused_cleanly(
    session: Session, engine: Engine, tmp_path: Path, audit_key: bytes, offset: int, garbage: bytes
) -> None:
    original = write_xlsx(tmp_path / "good.xlsx").read_bytes()
    at = offset % len(original)
    damaged = tmp_path / "damaged.xlsx"
    damaged.write_bytes(original[:at] + garbage + original[at + len(garbage) :])

    attempt(session, engine, damaged, audit_key)


@FUZZ
@given(
    column=st.integers(min_value=0, max_value=len(HEADER) - 1),
    cells=st.lists(hostile_cell, min_size=1, max_size=len(ROWS)),
    fmt=st.sampled_from(["csv", "xlsx"]),
)
def test_hostile_cells_in_any_column_are_refused_or_exported_escaped(
    session: Session,
    engine: Engine,
    tmp_path: Path,
    audit_key: bytes,
    column: int,
    cells: list[str],
    fmt: str,
) -> None:
    rows = hostile_rows(column, [HUGE_CELLS.get(cell, cell) for cell in cells])
    path = tmp_path / f"hostile.{fmt}"
    if fmt == "csv":
        write_csv(path, rows)
    else:
        write_xlsx(path, [[_literal(cell) for cell in row] for row in rows])

    attempt(session, engine, path, audit_key)

    assert_exports_are_escaped(session)


def _literal(cell: str) -> str:
    """openpyxl would store "=..." as a formula; a spreadsheet user typing it as text gets '=..."""
    cell = ILLEGAL_CHARACTERS_RE.sub("", cell)  # control characters XLSX cannot hold
    return "'" + cell if cell.startswith(FORMULA_STARTS) else cell


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_formula_strings_in_free_text_columns_are_imported_and_exported_escaped(
    session: Session, engine: Engine, tmp_path: Path, audit_key: bytes, fmt: str
) -> None:
    rows = [list(row) for row in ROWS]
    rows[2][HEADER.index("full_name")] = "=cmd|' /C calc'!A0"
    rows[0][HEADER.index("system")] = "@SUM(1)"
    rows[2][HEADER.index("unit")] = "+1+1"
    rows[2][HEADER.index("login")] = "-2"
    path = write_csv(tmp_path / "in.csv", rows)

    assert attempt(session, engine, path, audit_key)

    values = list(exported_cells(session, fmt))
    session.rollback()
    assert {"'=cmd|' /C calc'!A0", "'@SUM(1)", "'+1+1", "'-2"} <= set(values)
    assert_exports_are_escaped(session)
