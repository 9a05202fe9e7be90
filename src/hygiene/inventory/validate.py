"""Import stage 2, validate: raw cells → InventoryRow, with the checks that span rows.

Rows are validated one at a time and handed on in chunks, so the file is never held whole. What
must be remembered across the file is kept compact: a hash per account key and a packed record
per official (first line and a hash of each field). Problems are counted in full but only the
first MAX_PROBLEMS are kept, so a file of 300,000 bad rows costs no more memory than a good one.
"""

import struct
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from hygiene.errors import RowProblem
from hygiene.inventory import values
from hygiene.inventory.columns import Header
from hygiene.inventory.rows import RowParser
from hygiene.inventory.schemas import InventoryRow, ValidationContext, problems_of

MAX_PROBLEMS = 200
CHUNK_ROWS = 2000
CONSISTENT_FIELDS = ("full_name", "unit", "email", "phone", "locale", "unit_head")
_RECORD = struct.Struct(f"<I{len(CONSISTENT_FIELDS)}q")
_SHOWN_VALUE = 80
_UNSET = object()

Numbered = tuple[int, InventoryRow]
OnRow = Any  # Callable[[int, int | None], None]: rows read so far, rows in the file if known


@dataclass
class Problems:
    """Every problem counted, the first `limit` kept (in the order found)."""

    limit: int = MAX_PROBLEMS
    kept: list[RowProblem] = field(default_factory=list)
    total: int = 0

    def add(self, problem: RowProblem) -> None:
        self.total += 1
        if len(self.kept) < self.limit:
            self.kept.append(problem)

    def extend(self, problems: Iterable[RowProblem]) -> None:
        for problem in problems:
            self.add(problem)


def shown(value: Any) -> str | None:
    text = "" if value is None else str(value)
    if not text.strip():
        return None
    return text if len(text) <= _SHOWN_VALUE else text[: _SHOWN_VALUE - 1] + "…"


class RowChecks:
    """What one row can only be judged against the rest of the file by."""

    def __init__(self, header: Header) -> None:
        self.header = header
        self.accounts: dict[int, int] = {}  # hash of (employee, system, login) → first line
        self.officials: dict[str, bytes] = {}  # employee id → packed (first line, field hashes)
        self.heads: dict[str, tuple[str, int]] = {}  # unit → (head's employee id, line)
        # The last row that agreed with its official's first row: the same cells again agree.
        self._last_clean: tuple[Any, ...] | None = None

    def check(self, line: int, row: InventoryRow, cells: dict[str, Any]) -> list[RowProblem]:
        found = [*self._duplicate_account(line, row), *self._inconsistent(line, row)]
        if row.unit_head:
            head = self.heads.setdefault(row.unit, (row.employee_id, line))
            if head[0] != row.employee_id:
                params = {"unit": row.unit, "other": head[0], "line": head[1]}
                found.append(self._problem(line, "unit_head", "unit_head.two_heads", cells, params))
        return found

    def _problem(
        self, line: int, name: str, code: str, cells: dict[str, Any], params: dict[str, Any]
    ) -> RowProblem:
        return RowProblem(line, self.header.label(name), code, params, shown(cells.get(name)), name)

    def _duplicate_account(self, line: int, row: InventoryRow) -> Iterator[RowProblem]:
        key = hash((row.employee_id, row.system.casefold(), row.login.casefold()))
        first = self.accounts.setdefault(key, line)
        if first != line:
            label = self.header.label("login")
            yield RowProblem(
                line, label, "import.duplicate_account", {"other": first}, shown(row.login), "login"
            )

    def _inconsistent(self, line: int, row: InventoryRow) -> Iterator[RowProblem]:
        given, fields = row.model_fields_set, row.__dict__
        seen = (row.employee_id, *(fields[n] if n in given else _UNSET for n in CONSISTENT_FIELDS))
        if seen == self._last_clean:
            return  # the official's previous row said the same, and agreed with their first
        mine = [hash((n, fields[n])) | 1 if n in given else 0 for n in CONSISTENT_FIELDS]
        packed = self.officials.get(row.employee_id)
        if packed is None:
            self.officials[row.employee_id] = _RECORD.pack(line, *mine)
            self._last_clean = seen
            return
        first, *theirs = _RECORD.unpack(packed)
        clean = True
        for name, a, b in zip(CONSISTENT_FIELDS, mine, theirs, strict=True):
            if a and b and a != b:
                clean = False
                value = shown(getattr(row, name))
                label = self.header.label(name)
                yield RowProblem(line, label, "import.inconsistent", {"other": first}, value, name)
        self._last_clean = seen if clean else None


def validate_row(
    line: int,
    cells: list[Any],
    header: Header,
    context: ValidationContext,
    parser: RowParser | None = None,
) -> tuple[InventoryRow | None, dict[str, Any], list[RowProblem]]:
    """The row, its cells by column, and its problems. With `parser`, a good row is parsed by
    plain calls (hygiene.inventory.rows); a refused one, and every row without it, by pydantic."""
    raw = {name: cells[i] for i, name in header.fields.items() if i < len(cells)}
    given = {k: v for k, v in raw.items() if not (isinstance(v, str) and not v.strip())}
    row = parser.parse(given) if parser is not None else None
    if row is not None:
        return row, raw, []
    try:
        return InventoryRow.model_validate(given, context=context), raw, []
    except ValidationError as exc:
        problems = [
            RowProblem(
                line,
                header.label(p["field"]),
                p["code"],
                p["params"],
                shown(raw.get(p["field"])),
                p["field"],
            )
            for p in problems_of(exc)
        ]
        return None, raw, problems


def landline(line: int, row: InventoryRow, header: Header) -> RowProblem | None:
    """A warning, not an error: the official is still imported, but gets no SMS."""
    if row.phone is None or values.is_mobile(row.phone):
        return None
    params = {"line": line, "phone": row.phone, "employee_id": row.employee_id}
    return RowProblem(line, header.label("phone"), "importer.landline", params, row.phone, "phone")


def is_blank(cells: list[Any]) -> bool:
    return not any(str(cell).strip() for cell in cells if cell is not None)


def chunked(rows: Iterator[Numbered], size: int = CHUNK_ROWS) -> Iterator[list[Numbered]]:
    """Chunks of about `size` rows that do not split one official's consecutive rows."""
    chunk: list[Numbered] = []
    for item in rows:
        if len(chunk) >= size and item[1].employee_id != chunk[-1][1].employee_id:
            yield chunk
            chunk = []
        chunk.append(item)
    if chunk:
        yield chunk
