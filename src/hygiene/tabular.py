"""Spreadsheet input and output: CSV (UTF-8 with or without BOM, comma or semicolon) and XLSX.

Cells that a spreadsheet would run as a formula (starting with = + - @, or a tab/CR) are written
with a leading apostrophe, and the apostrophe is removed again on reading, so export → import is a
no-op and an exported file cannot run commands on the admin's PC.
"""

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from hygiene.errors import InvalidInput

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
FORMATS = ("csv", "xlsx")


def escape_cell(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def unescape_cell(value: Any) -> Any:
    if (
        isinstance(value, str)
        and value.startswith("'")
        and value[1:2] in FORMULA_STARTS
        and value[1:2]
    ):
        return value[1:]
    return value


@dataclass(frozen=True)
class Sheet:
    header: list[str]
    rows: Iterator[tuple[int, list[Any]]]  # (line number counting the header as 1, cells)
    total: int | None  # rows after the header, when known up front


def read_sheet(path: Path) -> Sheet:
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        return _read_xlsx(path)
    if suffix in {".csv", ".txt"}:
        return _read_csv(path)
    raise InvalidInput("import.unknown_format", name=path.name)


def _read_csv(path: Path) -> Sheet:
    try:
        content = path.read_text("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidInput("import.not_utf8", name=path.name, position=exc.start) from None
    if "\x00" in content:
        raise InvalidInput("import.binary", name=path.name)
    first_line = content.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    lines = list(csv.reader(io.StringIO(content, newline=""), delimiter=delimiter))
    if not lines:
        raise InvalidInput("import.empty", name=path.name)
    header, body = lines[0], lines[1:]

    def rows() -> Iterator[tuple[int, list[Any]]]:
        for index, cells in enumerate(body, start=2):
            if any(cell.strip() for cell in cells):
                yield index, [unescape_cell(cell) for cell in cells]

    return Sheet([h.strip() for h in header], rows(), len(body))


def _xlsx_errors() -> tuple[type[BaseException], ...]:
    """What a damaged workbook raises: a broken zip, deflate stream or XML part, a missing part
    or sheet. openpyxl parses rows lazily, so these can come while the rows are read too."""
    import zlib
    from xml.etree.ElementTree import ParseError
    from zipfile import BadZipFile

    return (
        BadZipFile,
        NotImplementedError,  # zipfile: unsupported zip version or compression method
        zlib.error,
        ParseError,
        EOFError,
        KeyError,
        IndexError,
        ValueError,
        OSError,
    )


def _read_xlsx(path: Path) -> Sheet:
    from openpyxl import load_workbook

    errors = _xlsx_errors()
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
        iterator = sheet.iter_rows(values_only=True)
        header = ["" if cell is None else str(cell).strip() for cell in next(iterator)]
        total = (sheet.max_row - 1) if sheet.max_row else None
    except StopIteration:
        raise InvalidInput("import.empty", name=path.name) from None
    except errors as exc:
        raise InvalidInput("import.bad_xlsx", name=path.name, reason=str(exc)) from None

    def rows() -> Iterator[tuple[int, list[Any]]]:
        try:
            for index, cells in enumerate(iterator, start=2):
                values = [_xlsx_value(cell) for cell in cells]
                if any(str(v).strip() for v in values):
                    yield index, values
        except errors as exc:
            raise InvalidInput("import.bad_xlsx", name=path.name, reason=str(exc)) from None
        finally:
            workbook.close()

    return Sheet(header, rows(), total)


def _xlsx_value(cell: Any) -> Any:
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return int(cell)  # ids and phone numbers typed as numbers
    return unescape_cell(cell)


def write_sheet(
    out: IO[bytes], fmt: str, header: Sequence[str], rows: Iterable[Sequence[Any]]
) -> int:
    """Write rows with formula-escaped cells; returns how many rows were written."""
    if fmt == "xlsx":
        return _write_xlsx(out, header, rows)
    text = io.TextIOWrapper(out, encoding="utf-8-sig", newline="")
    writer = csv.writer(text)
    writer.writerow(header)
    count = 0
    for row in rows:
        writer.writerow([escape_cell(cell) for cell in row])
        count += 1
    text.flush()
    text.detach()
    return count


def _write_xlsx(out: IO[bytes], header: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    def xlsx_cell(value: Any) -> Any:
        # XLSX cannot hold most C0 control characters (a CSV import can): drop them, then
        # escape, so a dropped leading control character cannot uncover a formula.
        if isinstance(value, str):
            value = ILLEGAL_CHARACTERS_RE.sub("", value)
        return escape_cell(value)

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(list(header))
    count = 0
    for row in rows:
        sheet.append([xlsx_cell(cell) for cell in row])
        count += 1
    workbook.save(out)
    return count
