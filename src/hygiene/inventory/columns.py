"""The import's columns, and finding the header row of a spreadsheet as offices make them.

The header is looked for in the first 10 rows: title rows and blank rows above it are skipped,
and a two-row header (a merged group cell above its sub-columns, or one name split over two
lines) is joined column by column. Headers match without regard to case, diacritics, spacing or
underscores. Errors name a column by the file's own header text.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from hygiene.errors import RowProblem
from hygiene.inventory.kinds import fold

COLUMNS = (
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
    "unit_head",
)
REQUIRED = ("employee_id", "full_name", "unit", "system")
VI_HEADERS = {
    "employee_id": "Mã cán bộ",
    "full_name": "Họ và tên",
    "unit": "Đơn vị",
    "email": "Email",
    "phone": "Số điện thoại",
    "locale": "Ngôn ngữ",
    "system": "Hệ thống",
    "kind": "Loại",
    "login": "Tên đăng nhập",
    "last_rotated": "Ngày đổi mật khẩu",
    "mfa": "Xác thực hai lớp",
    "unit_head": "Lãnh đạo đơn vị",
}
_ALIASES = {
    "employee_id": ["mã cb", "mã nhân viên", "mã số cán bộ", "mã định danh"],
    "full_name": ["họ tên", "tên cán bộ"],
    "email": ["thư điện tử", "e-mail", "địa chỉ email"],
    "phone": ["điện thoại", "sđt", "số đt", "di động"],
    "system": ["tên hệ thống", "hệ thống tài khoản", "dịch vụ"],
    "kind": ["loại tài khoản", "phân loại"],
    "login": ["tài khoản đăng nhập"],
    "last_rotated": ["ngày đổi mk", "lần đổi mật khẩu gần nhất"],
    "mfa": ["2fa", "xác thực 2 lớp", "xác thực hai yếu tố"],
    "unit_head": ["lãnh đạo", "thủ trưởng đơn vị", "trưởng đơn vị", "head"],
}
# Anything else that smells like a password column is refused, value unseen.
_PASSWORDISH = re.compile(r"pass|pwd|secret|mat\s*khau|^mk$|bi\s*mat")
HEADER_SEARCH_ROWS = 10

_LOOKUP = {fold(name): name for name in COLUMNS} | {
    fold(spelling): name
    for name in COLUMNS
    for spelling in (VI_HEADERS[name], *_ALIASES.get(name, ()))
}


@dataclass(frozen=True)
class Header:
    """Where the data starts and what each cell means, in the file's own words."""

    last_line: int  # the header's last row; data follows
    fields: dict[int, str]  # cell index → column
    labels: dict[str, str]  # column → the file's header text
    ignored: list[str] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)

    def label(self, column: str) -> str:
        return self.labels.get(column) or VI_HEADERS.get(column, column)


def _text(cell: Any) -> str:
    return " ".join(str(cell).split()) if cell is not None else ""


def _candidates(top: str, bottom: str, group: str) -> list[str]:
    """What a column of a two-row header may be called: the two lines joined (a merged group
    cell counts for every column under it), the upper line alone, or the lower one."""
    joined = " ".join(part for part in (top or group, bottom) if part)
    return [c for c in (joined, top, bottom) if c]


def _column_names(top: Sequence[Any], bottom: Sequence[Any] | None) -> list[str]:
    if bottom is None:
        return [_text(cell) for cell in top]
    names, group = [], ""
    for index in range(max(len(top), len(bottom))):
        upper = _text(top[index]) if index < len(top) else ""
        lower = _text(bottom[index]) if index < len(bottom) else ""
        group = upper or group  # a merged group cell is only in its first column
        options = _candidates(upper, lower, group)
        known = [c for c in options if fold(c) in _LOOKUP]
        names.append(known[0] if known else (upper or lower))
    return names


def map_header(names: Sequence[str], last_line: int) -> Header:
    fields: dict[int, str] = {}
    labels: dict[str, str] = {}
    ignored: list[str] = []
    problems: list[RowProblem] = []
    for index, name in enumerate(names):
        column = _LOOKUP.get(fold(name))
        if column is None:
            if _PASSWORDISH.search(fold(name)):
                problems.append(RowProblem(last_line, name, "import.password_column"))
            elif name.strip():
                ignored.append(name)
        elif column in labels:
            problems.append(RowProblem(last_line, name, "import.duplicate_column"))
        else:
            fields[index], labels[column] = column, name
    for column in REQUIRED:
        if column not in labels:
            label = f"{VI_HEADERS[column]} / {column}"
            problems.append(RowProblem(last_line, label, "import.missing_column", field=column))
    return Header(last_line, fields, labels, ignored, problems)


def find_header(first_rows: Sequence[tuple[int, Sequence[Any]]]) -> Header:
    """The best header among the first rows: one row, or two joined; the most columns wins,
    the earliest on a tie. Without every required column, its problems say which are missing."""
    best: Header | None = None
    for position, (line, cells) in enumerate(first_rows[:HEADER_SEARCH_ROWS]):
        below = first_rows[position + 1] if position + 1 < len(first_rows) else None
        options = [map_header(_column_names(cells, None), line)]
        if below is not None:
            options.append(map_header(_column_names(cells, below[1]), below[0]))
        for option in options:
            if best is None or _score(option) > _score(best):
                best = option
    if best is None or not best.labels:
        missing = ", ".join(VI_HEADERS[c] for c in REQUIRED)
        problem = RowProblem(1, "", "importer.header_not_found", {"missing": missing})
        return Header(1, {}, {}, [], [problem])
    return best


def _score(header: Header) -> tuple[int, int]:
    """Two rows joined must name more columns than one row alone to win."""
    required = sum(1 for c in REQUIRED if c in header.labels)
    return required, len(header.labels)
