"""Spreadsheet input and output: CSV (UTF-8 with or without BOM, comma or semicolon) and XLSX;
input also from Excel 97-2003 (.xls, also when renamed .xlsx) with xlrd.

Cells that a spreadsheet would run as a formula (starting with = + - @, or a tab/CR) are written
with a leading apostrophe, and the apostrophe is removed again on reading, so export → import is a
no-op and an exported file cannot run commands on the admin's PC.
"""

import codecs
import csv
import io
import itertools
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from hygiene.errors import InvalidInput

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
FORMATS = ("csv", "xlsx")
HEAD_LINES = 10  # the CSV delimiter is chosen from these; the header is looked for in them too
# A workbook part may inflate to at most this much. openpyxl holds the shared strings in memory,
# so they get a smaller allowance; for larger inventories, use CSV (it streams).
MEMBER_LIMIT = 128 * 1024 * 1024
SHARED_STRINGS_LIMIT = 32 * 1024 * 1024
TOTAL_LIMIT = 256 * 1024 * 1024
RATIO_LIMIT = 100  # spreadsheet XML compresses about 5-20:1; a zip bomb by 1,000:1 and more
RATIO_FLOOR = 1024 * 1024  # small parts may compress as they like


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
    """Rows as read, streamed: (row number as the spreadsheet shows it, cells), title and blank
    rows included; the importer finds the header among the first ones."""

    rows: Iterator[tuple[int, list[Any]]]
    total: int | None  # rows in the file, when known up front


# Spreadsheet formats an office has but the importer does not read: the error says how to save
# the file as one it reads.
_SAVE_AS = {".ods": ".ods (OpenDocument)", ".numbers": ".numbers"}
# An OLE2 compound file: Excel 97-2003 (.xls), and any workbook locked with an opening password
_OLE2 = bytes.fromhex("d0cf11e0a1b11ae1")
_ZIP = b"PK\x03\x04"  # an .xlsx


def read_sheet(path: Path) -> Sheet:
    suffix = path.suffix.lower()
    if suffix in {".xls", ".xlsx"}:  # read by what the file is: offices rename them freely
        with path.open("rb") as handle:
            start = handle.read(len(_OLE2))
        if start == _OLE2:
            return _read_xls(path)
        if start.startswith(_ZIP):
            return _read_xlsx(path)
        # an HTML table or a CSV that another program named .xls: its bytes are not shown
        raise InvalidInput("import.not_excel", name=path.name)
    if suffix in {".csv", ".txt"}:
        return _read_csv(path)
    if suffix in _SAVE_AS:
        raise InvalidInput("import.save_as_xlsx", name=path.name, format=_SAVE_AS[suffix])
    raise InvalidInput("import.unknown_format", name=path.name)


def _decoded_lines(path: Path) -> Iterator[str]:
    """Lines of a UTF-8 file (BOM or not), one at a time; a bad byte names its offset."""
    offset = 0
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            if number == 1 and raw.startswith(codecs.BOM_UTF8):
                raw, offset = raw[len(codecs.BOM_UTF8) :], len(codecs.BOM_UTF8)
            if b"\x00" in raw:
                raise InvalidInput("import.binary", name=path.name)
            try:
                yield raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                position = offset + exc.start
                raise InvalidInput("import.not_utf8", name=path.name, position=position) from None
            offset += len(raw)


def _count_lines(path: Path) -> int:
    count = 0
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            count += chunk.count(b"\n")
    return count


def _read_csv(path: Path) -> Sheet:
    lines = _decoded_lines(path)
    head = list(itertools.islice(lines, HEAD_LINES))
    if not head:
        raise InvalidInput("import.empty", name=path.name)
    semicolons = sum(line.count(";") for line in head)
    delimiter = ";" if semicolons > sum(line.count(",") for line in head) else ","
    reader = csv.reader(itertools.chain(head, lines), delimiter=delimiter)

    def rows() -> Iterator[tuple[int, list[Any]]]:
        line = 0
        try:
            for line, cells in enumerate(reader, start=1):
                # Only a cell starting with an apostrophe can need unescaping: most rows have none.
                yield line, [unescape_cell(c) for c in cells] if "'" in "".join(cells) else cells
        except csv.Error as exc:
            raise InvalidInput(
                "importer.bad_csv", name=path.name, line=line + 1, reason=str(exc)
            ) from None

    return Sheet(rows(), _count_lines(path))


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


def check_zip_members(path: Path) -> None:
    """Refuse a workbook whose parts would inflate past the limits, before any is inflated.

    The sizes checked are the ones the zip declares. They also bound what is actually inflated:
    zipfile stops a member's output at its declared size (and then fails its CRC check), so a
    forged small size cannot smuggle a large part through openpyxl."""
    import zipfile

    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except _xlsx_errors() as exc:
        raise InvalidInput("import.bad_xlsx", name=path.name, reason=str(exc)) from None
    total = 0
    for member in members:
        limit = (
            SHARED_STRINGS_LIMIT
            if member.filename.endswith("sharedStrings.xml")
            else (MEMBER_LIMIT)
        )
        total += member.file_size
        if member.file_size > limit or total > TOTAL_LIMIT:
            raise InvalidInput(
                "importer.xlsx_too_big",
                name=path.name,
                member=member.filename,
                size=max(member.file_size, total) // 1_000_000,
                limit=(limit if member.file_size > limit else TOTAL_LIMIT) // 1_000_000,
            )
        ratio = member.file_size // max(member.compress_size, 1)
        if member.file_size > RATIO_FLOOR and ratio > RATIO_LIMIT:
            raise InvalidInput(
                "importer.xlsx_ratio",
                name=path.name,
                member=member.filename,
                ratio=ratio,
                limit=RATIO_LIMIT,
            )


def _read_xlsx(path: Path) -> Sheet:
    from openpyxl import load_workbook

    check_zip_members(path)
    errors = _xlsx_errors()
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
        iterator = sheet.iter_rows(values_only=True)
        total = sheet.max_row or None
    except errors as exc:
        raise InvalidInput("import.bad_xlsx", name=path.name, reason=str(exc)) from None

    def rows() -> Iterator[tuple[int, list[Any]]]:
        try:
            for index, cells in enumerate(iterator, start=1):
                yield index, [_xlsx_value(cell) for cell in cells]
        except errors as exc:
            raise InvalidInput("import.bad_xlsx", name=path.name, reason=str(exc)) from None
        finally:
            workbook.close()

    return Sheet(rows(), total)


def _read_xls(path: Path) -> Sheet:
    from hygiene import xls

    rows, total = xls.read(path, limit=TOTAL_LIMIT)
    return Sheet(((index, [_xlsx_value(c) for c in cells]) for index, cells in rows), total)


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
