"""Excel 97-2003 workbooks (.xls, BIFF in an OLE2 compound file) read with xlrd, for the
importer (hygiene.tabular): the first sheet's rows, cells as openpyxl gives them for an .xlsx
(text, numbers, datetime, bool; "" for empty and error cells).

An .xls holds at most 65,536 rows and xlrd reads a sheet whole: the file size is bounded
instead. A workbook locked with an opening password cannot be read (an encrypted .xls, or an
.xlsx locked that way, which is an OLE2 file with no Workbook stream) and says how to unlock
it. xlrd quotes a damaged file's bytes in its messages ("Expected BOF record; found b'...'"):
they are cut out, since a file's content never goes into an error.
"""

import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from hygiene.errors import InvalidInput

Rows = Iterator[tuple[int, list[Any]]]

# what a damaged file raises besides XLRDError (xlrd asserts on some malformed records)
_DAMAGED: tuple[type[BaseException], ...] = (
    AssertionError, EOFError, IndexError, KeyError, ValueError, OSError
)  # fmt: skip


def read(path: Path, *, limit: int) -> tuple[Rows, int]:
    """(row number as Excel shows it, cells) of the first sheet, and the row count."""
    import xlrd

    if path.stat().st_size > limit:
        raise InvalidInput("importer.xls_too_big", name=path.name, limit=limit // 1_000_000)
    try:  # xlrd writes its warnings to `logfile`: keep them off the CLI's output
        book = xlrd.open_workbook(str(path), on_demand=True, logfile=io.StringIO())
        sheet = book.sheet_by_index(0)
    except xlrd.XLRDError as exc:
        if "encrypted" in str(exc).lower() or "find workbook" in str(exc).lower():
            raise InvalidInput("import.locked", name=path.name) from None
        raise InvalidInput("import.bad_xls", name=path.name, reason=_no_bytes(exc)) from None
    except _DAMAGED as exc:
        raise InvalidInput("import.bad_xls", name=path.name, reason=_no_bytes(exc)) from None

    def rows() -> Rows:
        try:
            for index in range(sheet.nrows):
                yield index + 1, [_value(cell, book.datemode) for cell in sheet.row(index)]
        finally:
            book.release_resources()

    return rows(), sheet.nrows


def _no_bytes(exc: BaseException) -> str:
    return re.sub(r"""\bb(['"]).*""", "…", str(exc))


def _value(cell: Any, datemode: int) -> Any:
    import xlrd

    if cell.ctype == xlrd.XL_CELL_DATE:
        return xlrd.xldate_as_datetime(cell.value, datemode)
    if cell.ctype == xlrd.XL_CELL_BOOLEAN:
        return bool(cell.value)
    if cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK, xlrd.XL_CELL_ERROR):
        return ""
    return cell.value
