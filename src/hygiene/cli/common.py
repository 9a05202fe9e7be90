"""What every command shares: settings and deps built once per run, the reader's locale, output."""

import csv
import getpass
import json
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from enum import StrEnum
from typing import Annotated, Any, TypeVar

import typer
from pydantic import BaseModel, ValidationError
from rich.console import Console
from rich.table import Table
from sqlalchemy.exc import OperationalError, ProgrammingError
from sqlmodel import Session

from hygiene import db, i18n
from hygiene.bootstrap import Deps, build_deps
from hygiene.errors import HygieneError, InvalidInput
from hygiene.inventory.kinds import KindNames
from hygiene.inventory.schemas import ValidationContext, problems_of
from hygiene.settings import Settings, load_settings
from hygiene.tabular import escape_cell

T = TypeVar("T")


class OutputFormat(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


FormatOption = Annotated[OutputFormat, typer.Option("--format", "-f", help="table | json | csv")]


class State:
    """Lazily built per invocation, kept on click's context object."""

    def __init__(self) -> None:
        self._settings: Settings | None = None
        self._deps: Deps | None = None

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            self._settings = load_settings()
        return self._settings

    @property
    def deps(self) -> Deps:
        if self._deps is None:
            self._deps = build_deps(self.settings)
        return self._deps

    @property
    def locale(self) -> str:
        if self._settings is not None:
            return self._settings.locale
        return i18n.normalise_locale(os.environ.get("HYGIENE_LOCALE"))

    def close(self) -> None:
        if self._deps is not None:
            self._deps.engine.dispose()


def state(ctx: typer.Context) -> State:
    root = ctx.find_root()
    if not isinstance(root.obj, State):
        root.obj = State()
        root.call_on_close(root.obj.close)
    return root.obj


def say(ctx: typer.Context, key: str, /, *, err: bool = False, **params: Any) -> None:
    typer.echo(i18n.t(key, state(ctx).locale, **params), err=err)


def actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"


@contextmanager
def session(ctx: typer.Context) -> Iterator[Session]:
    """A committed-on-success session; a missing schema becomes one clear error."""
    try:
        with db.session_scope(state(ctx).deps.engine) as s:
            yield s
    except (OperationalError, ProgrammingError) as exc:
        text = str(exc.orig) if exc.orig else str(exc)
        if "no such table" in text or ("does not exist" in text and "relation" in text):
            raise HygieneError("error.schema_outdated") from None
        raise HygieneError("error.database", reason=text.splitlines()[0]) from None


def _cell(value: Any, locale: str) -> str:
    if isinstance(value, bool):
        return i18n.t("col.yes" if value else "col.no", locale)
    if value is None:
        return ""
    return str(i18n.format_value(value))


def emit(
    ctx: typer.Context,
    rows: Sequence[BaseModel],
    fmt: OutputFormat,
    columns: Sequence[str],
    title: str | None = None,
) -> None:
    """Print rows as a table for people, or JSON / CSV for scripts (stable English keys)."""
    if fmt is OutputFormat.json:
        typer.echo(
            json.dumps(
                [r.model_dump(mode="json", include=set(columns)) for r in rows],
                ensure_ascii=False,
                indent=2,
            )
        )
        return
    data = [r.model_dump(mode="json") for r in rows]
    if fmt is OutputFormat.csv:
        writer = csv.writer(sys.stdout)
        writer.writerow(columns)
        writer.writerows([escape_cell(d.get(c)) for c in columns] for d in data)
        return
    locale = state(ctx).locale
    if not rows:
        typer.echo(i18n.t("cli.empty", locale))
        return
    table = Table(title=title)
    for column in columns:
        table.add_column(i18n.t(f"col.{column}", locale))
    for row in rows:
        table.add_row(*(_cell(getattr(row, c), locale) for c in columns))
    Console(width=max(100, Console().width)).print(table)


def print_rows(ctx: typer.Context, rows: list[dict[str, Any]], columns: list[str]) -> None:
    """A table of plain rows, headed by the `engine.col.<column>` labels (outbox, advisories)."""
    locale = state(ctx).locale
    if not rows:
        typer.echo(i18n.t("cli.empty", locale))
        return
    table = Table()
    for column in columns:
        table.add_column(i18n.t(f"engine.col.{column}", locale))
    for row in rows:
        table.add_row(*(_cell(row.get(c), locale) for c in columns))
    Console(width=max(100, Console().width)).print(table)


def validation_context(ctx: typer.Context) -> ValidationContext:
    deps = state(ctx).deps
    today = deps.clock.now().astimezone(deps.settings.zone).date()
    return ValidationContext(
        today=today,
        kinds=KindNames.from_policies(deps.settings.policies),
        default_locale=deps.settings.locale,
    )


def validated(ctx: typer.Context, build: Callable[[], T]) -> T:
    """build(), with a pydantic error turned into one translated InvalidInput."""
    try:
        return build()
    except ValidationError as exc:
        first = problems_of(exc)[0]
        reason = i18n.t(first["code"], state(ctx).locale, **first["params"])
        raise InvalidInput("official.bad_field", field=first["field"], reason=reason) from None
