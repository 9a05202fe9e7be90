"""How commands show rows: one table for people (the reader's language, time zone and width),
JSON or CSV with stable English keys for scripts."""

import csv
import json
import os
import sys
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any
from zoneinfo import ZoneInfo

import typer
from pydantic import BaseModel
from rich import box
from rich.console import Console
from rich.measure import Measurement
from rich.table import Table

from hygiene import i18n, labels
from hygiene.cli.common import state
from hygiene.clock import as_utc
from hygiene.settings import Policy
from hygiene.tabular import escape_cell


class OutputFormat(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


FormatOption = Annotated[OutputFormat, typer.Option("--format", "-f", help="table | json | csv")]


def emit(
    ctx: typer.Context,
    rows: Sequence[BaseModel],
    fmt: OutputFormat,
    columns: Sequence[str],
    title: str | None = None,
    **table_options: Any,
) -> None:
    """Print rows as a table for people, or JSON / CSV for scripts (stable English keys, codes
    and ISO times). The table is `print_table`'s: see there for `table_options`."""
    if fmt is OutputFormat.json:
        typer.echo(
            json.dumps(
                [r.model_dump(mode="json", include=set(columns)) for r in rows],
                ensure_ascii=False,
                indent=2,
            )
        )
        return
    if fmt is OutputFormat.csv:
        data = [r.model_dump(mode="json") for r in rows]
        writer = csv.writer(sys.stdout)
        writer.writerow(columns)
        writer.writerows([escape_cell(d.get(c)) for c in columns] for d in data)
        return
    records = [{c: getattr(r, c, None) for c in columns} for r in rows]
    print_table(ctx, records, columns, title=title, **table_options)


def print_rows(
    ctx: typer.Context, rows: list[dict[str, Any]], columns: list[str], **table_options: Any
) -> None:
    """A table of plain rows, headed by the `engine.col.<column>` labels (outbox, advisories)."""
    print_table(ctx, rows, columns, **{"headers": "engine.col", **table_options})


def print_table(
    ctx: typer.Context,
    rows: Sequence[Mapping[str, Any]],
    columns: Sequence[str],
    *,
    title: str | None = None,
    headers: str | None = None,
    codes: Mapping[str, str] | None = None,
    optional: Sequence[str] = (),
    empty: str = "cli.empty",
) -> None:
    """The one table people read: headers in the reader's language (`<headers>.<column>`, then
    `col.`, `engine.col.`, `table.col.`), times in HYGIENE_TIMEZONE as dd/mm/yyyy HH:MM, dates
    dd/mm/yyyy, numbers and `*_pct` per locale, and codes as labels (`codes` maps a column to a
    hygiene.labels namespace, over CODE_COLUMNS). In a terminal the table fits its width: cells
    wrap, and the `optional` columns go (first named first) while the rows would not fit
    unwrapped, with a note naming them. Piped output is not wrapped, one row a line."""
    cells = TableCells.of(ctx, {**CODE_COLUMNS, **(codes or {})})
    if not rows:
        typer.echo(i18n.t(empty, cells.locale))
        return
    console = _console()
    shown = list(columns)
    hidden: list[str] = []
    table = _table(cells, rows, shown, title, headers)
    for column in optional:
        if _fits(console, table) or len(shown) <= 2:
            break
        shown.remove(column)
        hidden.append(column)
        table = _table(cells, rows, shown, title, headers)
    console.print(table)
    if hidden:
        names = ", ".join(_header(c, headers, cells.locale) for c in columns if c in hidden)
        echo_wrapped(i18n.t("table.hidden", cells.locale, columns=names))


def print_record(
    ctx: typer.Context,
    row: Mapping[str, Any],
    columns: Sequence[str],
    *,
    headers: str | None = None,
    codes: Mapping[str, str] | None = None,
) -> None:
    """One thing as label / value lines (`officials show`): it fits any width, values wrap."""
    cells = TableCells.of(ctx, {**CODE_COLUMNS, **(codes or {})})
    table = Table(box=None, show_header=False, padding=(0, 1, 0, 0))
    table.add_column(style="bold", overflow="fold")
    table.add_column(overflow="fold")
    for column in columns:
        table.add_row(_header(column, headers, cells.locale), cells.text(column, row.get(column)))
    _console().print(table)


def echo_wrapped(text: str) -> None:
    """A paragraph under a table, wrapped at words to the same width as the table."""
    _console().print(text, markup=False, highlight=False)


# Columns whose stored codes are shown by their labels (hygiene.labels namespaces).
CODE_COLUMNS = {
    "severity": "severity",
    "kind": "kind",
    "channel": "channel",
    "preferred_channels": "channel",
    "roles": "role",
    "campaign": "campaign",
    "locale": "locale",
    "stage": "stage",
    "outcome": "outcome",
}
_HEADER_TABLES = ("col", "engine.col", "table.col")
WIDE = 10_000  # piped tables keep one row a line


class TableCells:
    """How a value reads in a table cell, for one reader (locale, time zone, kind labels)."""

    def __init__(
        self, *, locale: str, zone: ZoneInfo, kinds: Mapping[str, Policy], codes: Mapping[str, str]
    ) -> None:
        self.locale, self.zone, self.kinds, self.codes = locale, zone, kinds, codes

    @classmethod
    def of(cls, ctx: typer.Context, codes: Mapping[str, str]) -> "TableCells":
        settings = state(ctx).settings
        return cls(
            locale=state(ctx).locale, zone=settings.zone, kinds=settings.policies, codes=codes
        )

    def text(self, column: str, value: Any) -> str:
        if value is None and column.endswith("_pct"):
            return i18n.format_percent(None)  # "—": no figure (nothing to acknowledge), not 0
        if value is None or value == "":
            return ""
        if isinstance(value, bool):
            return i18n.t("col.yes" if value else "col.no", self.locale)
        if isinstance(value, int) and not column.endswith("id") and column != "seq":
            return i18n.format_number(value, self.locale)  # a count: 1.234 / 1,234
        if isinstance(value, datetime):
            return as_utc(value).astimezone(self.zone).strftime("%d/%m/%Y %H:%M")
        if isinstance(value, date):
            return i18n.format_date(value)
        if isinstance(value, float):
            if column.endswith("_pct"):
                return i18n.format_percent(value, self.locale)
            return i18n.format_number(value, self.locale)
        if column in self.codes and isinstance(value, str):
            return labels.label(self.codes[column], value, self.locale, kinds=self.kinds)
        return str(value)


def _header(column: str, headers: str | None, locale: str) -> str:
    known = i18n.catalogue()
    for table in (headers, *_HEADER_TABLES) if headers else _HEADER_TABLES:
        if f"{table}.{column}" in known:
            return i18n.t(f"{table}.{column}", locale)
    return column


def _table(
    cells: TableCells,
    rows: Sequence[Mapping[str, Any]],
    columns: Sequence[str],
    title: str | None,
    headers: str | None,
) -> Table:
    table = Table(title=title, box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    for column in columns:
        table.add_column(_header(column, headers, cells.locale), overflow="fold")
    for row in rows:
        table.add_row(*(cells.text(c, row.get(c)) for c in columns))
    return table


def _fits(console: Console, table: Table) -> bool:
    natural = Measurement.get(console, console.options.update_width(WIDE), table).maximum
    return natural <= console.width


def _console() -> Console:
    """The reader's terminal width (or COLUMNS); a pipe or a file gets rows unwrapped."""
    console = Console()
    if console.is_terminal or os.environ.get("COLUMNS", "").isdigit():
        return console
    return Console(width=WIDE)
