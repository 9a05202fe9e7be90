"""Spreadsheet import, all or nothing, in four stages over a stream of chunks.

    read      hygiene.tabular.read_sheet: rows as the file holds them, one at a time
    validate  hygiene.inventory.validate: header found (columns.find_header), cells parsed
              (inventory.rows; a refused row by pydantic), checks across rows kept compact
    diff      hygiene.inventory.diff: one chunk against the stored inventory, set-based
    write     hygiene.inventory.write: executemany, plus an audit event per change

Chunks are written as they are validated, inside a SAVEPOINT; a problem anywhere in the file,
even on its last row, rolls the savepoint back, so the database is left as it was. After the
first problem nothing more is written, but the rest of the file is still checked and every
problem counted. Memory stays flat with the file's length. Re-importing a file changes nothing.
"""

import hashlib
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlmodel import Session

from hygiene import db
from hygiene.audit import service as audit
from hygiene.errors import ImportRejected, InvalidInput, RowProblem
from hygiene.inventory import validate
from hygiene.inventory.columns import COLUMNS, HEADER_SEARCH_ROWS, REQUIRED, VI_HEADERS, Header
from hygiene.inventory.columns import find_header as find_header
from hygiene.inventory.diff import plan_chunk
from hygiene.inventory.rows import RowParser
from hygiene.inventory.schemas import InventoryRow, ValidationContext
from hygiene.inventory.validate import MAX_PROBLEMS, OnRow, Problems
from hygiene.inventory.write import Writer
from hygiene.tabular import Sheet, read_sheet

__all__ = [
    "COLUMNS",
    "MAX_PROBLEMS",
    "REQUIRED",
    "VI_HEADERS",
    "ImportResult",
    "import_cells",
    "import_file",
]
_COUNTS = (
    "units_created",
    "officials_created",
    "officials_updated",
    "accounts_created",
    "accounts_updated",
    "heads_set",
)


@dataclass
class ImportResult:
    rows: int = 0
    units_created: int = 0
    officials_created: int = 0
    officials_updated: int = 0
    accounts_created: int = 0
    accounts_updated: int = 0
    heads_set: int = 0
    unchanged: int = 0
    ignored_columns: list[str] = field(default_factory=list)
    warnings: list[RowProblem] = field(default_factory=list)  # at most MAX_PROBLEMS
    warnings_total: int = 0
    dry_run: bool = False

    @property
    def changed(self) -> bool:
        return any(getattr(self, name) for name in _COUNTS)

    def counts(self) -> dict[str, int]:
        return {k: v for k, v in vars(self).items() if type(v) is int}


@dataclass
class _Run:
    """One import's state across chunks: the writer, the counts and the pending checks."""

    writer: Writer
    result: ImportResult
    # New officials with neither email nor phone so far (their rows may still bring one).
    unreachable: dict[str, int] = field(default_factory=dict)
    unit_names: dict[int, str] = field(default_factory=dict)

    def apply(self, chunk: list[tuple[int, InventoryRow]]) -> None:
        rows = [row for _, row in chunk]
        writer, result = self.writer, self.result
        result.units_created += writer.ensure_units(r.unit for r in rows)
        self.unit_names = {uid: name for name, uid in writer.units.items()}
        plan = plan_chunk(writer.session, rows, self.unit_names)
        first_line: dict[str, int] = {}
        for line, row in chunk:
            first_line.setdefault(row.employee_id, line)
            if row.email or row.phone:
                self.unreachable.pop(row.employee_id, None)
        for create in plan.official_creates:
            if not (create["email"] or create["phone"]):
                self.unreachable[create["employee_id"]] = first_line[create["employee_id"]]
        ids = writer.officials(plan)
        writer.accounts(plan, ids)
        result.heads_set += writer.heads(plan, ids)
        result.officials_created += len(plan.official_creates)
        result.officials_updated += len(plan.official_updates)
        result.accounts_created += len(plan.account_creates)
        result.accounts_updated += len(plan.account_updates)
        result.unchanged += plan.unchanged

    def flush(self, key: bytes) -> None:
        audit.append_many(
            self.writer.session, key=key, now=self.writer.now, events=self.writer.events
        )
        self.writer.events = []

    def contact_problems(self, header: Header) -> Iterator[RowProblem]:
        """A new official needs an email or a phone in at least one of their rows."""
        for employee_id, line in sorted(self.unreachable.items(), key=lambda item: item[1]):
            label = header.label("email")
            yield RowProblem(line, label, "import.no_contact", {}, employee_id, "email")


@contextmanager
def _savepoint(session: Session, *, keep: bool) -> Iterator[None]:
    nested = session.begin_nested()
    try:
        yield
    except BaseException:
        nested.rollback()
        raise
    if keep:
        nested.commit()
    else:
        nested.rollback()


def _header_and_rows(sheet: Sheet) -> tuple[Header, Iterator[tuple[int, list[Any]]]]:
    first: list[tuple[int, list[Any]]] = []
    for item in sheet.rows:
        first.append(item)
        if len(first) >= HEADER_SEARCH_ROWS + 1:
            break
    header = find_header(first)

    def rest() -> Iterator[tuple[int, list[Any]]]:
        yield from (item for item in first if item[0] > header.last_line)
        yield from sheet.rows

    return header, rest()


def _valid_rows(
    rows: Iterator[tuple[int, list[Any]]],
    header: Header,
    context: ValidationContext,
    problems: Problems,
    warnings: Problems,
    on_row: OnRow | None,
) -> Iterator[tuple[int, InventoryRow]]:
    checks = validate.RowChecks(header)
    parser = RowParser(context)
    for done, (line, cells) in enumerate(rows, start=1):
        if on_row and done % 500 == 0:
            on_row(done, None)
        if validate.is_blank(cells):
            continue
        row, raw, found = validate.validate_row(line, cells, header, context, parser)
        if row is None:
            problems.extend(found)
            continue
        problems.extend(checks.check(line, row, raw))
        warning = validate.landline(line, row, header)
        if warning is not None:
            warnings.add(warning)
        yield line, row


def import_file(
    session: Session,
    path: Path,
    *,
    context: ValidationContext,
    key: bytes,
    now: datetime,
    actor: str,
    dry_run: bool = False,
    on_row: OnRow | None = None,
) -> ImportResult:
    """Import `path`, or raise ImportRejected (the first MAX_PROBLEMS bad cells and the total)
    or InvalidInput, changing nothing. The caller commits; a dry run writes nothing."""
    sheet = read_sheet(path)
    header, rows = _header_and_rows(sheet)
    if header.problems:
        raise ImportRejected(header.problems)
    result = import_cells(
        session,
        header,
        rows,
        context=context,
        key=key,
        now=now,
        actor=actor,
        dry_run=dry_run,
        on_row=_progress(on_row, sheet),
        source=lambda: {"file": path.name, "sha256": _sha256(path)},
    )
    if not result.rows:
        raise InvalidInput("import.empty", name=path.name)
    return result


def import_cells(
    session: Session,
    header: Header,
    rows: Iterator[tuple[int, list[Any]]],
    *,
    context: ValidationContext,
    key: bytes,
    now: datetime,
    actor: str,
    source: Callable[[], dict[str, Any]],
    dry_run: bool = False,
    on_row: OnRow | None = None,
) -> ImportResult:
    """The import proper, for any reader that gives numbered rows of cells under `header`
    (a spreadsheet, or `hygiene sources import` turning directory entries into rows): every row
    validated, written in chunks inside a SAVEPOINT, all or nothing. `source()` describes the
    input in the closing audit event. With no row at all, nothing is written either."""
    result = ImportResult(dry_run=dry_run, ignored_columns=header.ignored)
    problems, warnings = Problems(), Problems()
    with _savepoint(session, keep=not dry_run), db.bulk_cache(session):
        run = _Run(Writer(session, now, actor), result)
        run.writer.load_units()
        valid = _valid_rows(rows, header, context, problems, warnings, on_row)
        for chunk in validate.chunked(valid):
            result.rows += len(chunk)
            if not problems.total:
                run.apply(chunk)
                run.flush(key)
        problems.extend(run.contact_problems(header))
        if problems.total:
            raise ImportRejected(problems.kept, problems.total)
        result.warnings, result.warnings_total = warnings.kept, warnings.total
        if result.rows:
            _completed(run, key, source())
    return result


def _progress(on_row: OnRow | None, sheet: Sheet) -> OnRow | None:
    if on_row is None:
        return None
    return lambda done, _total: on_row(done, sheet.total)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def _completed(run: _Run, key: bytes, source: dict[str, Any]) -> None:
    if run.result.changed:
        data = {**source, **run.result.counts()}
        run.writer.events.append(
            audit.NewEvent(run.writer.actor, "import.completed", "inventory", data)
        )
    run.flush(key)


def apply_rows(
    session: Session,
    rows: Iterable[InventoryRow],
    *,
    key: bytes,
    now: datetime,
    actor: str,
    dry_run: bool = False,
    source: dict[str, Any] | None = None,
) -> ImportResult:
    """Write rows that are already valid (the demo district), in the same chunks and stages."""
    result = ImportResult(dry_run=dry_run)
    with _savepoint(session, keep=not dry_run):
        run = _Run(Writer(session, now, actor), result)
        run.writer.load_units()
        numbered = ((line, row) for line, row in enumerate(rows, start=1))
        for chunk in validate.chunked(numbered):
            result.rows += len(chunk)
            run.apply(chunk)
            run.flush(key)
        _completed(run, key, source or {})
    return result
