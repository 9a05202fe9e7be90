"""`hygiene import FILE` and `hygiene export`: the inventory in and out as CSV / XLSX."""

import sys
from contextlib import nullcontext
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from hygiene import i18n
from hygiene.cli.common import actor, input_file, say, session, state, validation_context
from hygiene.errors import InvalidInput
from hygiene.inventory import exporter, importer


def import_(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help=".csv | .xlsx")],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Chỉ báo cáo, không ghi / Report only, write nothing")
    ] = False,
) -> None:
    """Nhập danh sách từ CSV/XLSX, tất cả hoặc không. / Import CSV/XLSX, all or nothing."""
    input_file(file)
    deps = state(ctx).deps
    err = Console(stderr=True)
    progress = Progress(
        TextColumn(i18n.t("import.reading", state(ctx).locale)),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=err,
        transient=True,
    )
    task = progress.add_task("import", total=None)

    def on_row(done: int, total: int | None) -> None:
        progress.update(task, completed=done, total=total)

    with progress if err.is_terminal else nullcontext(), session(ctx) as s:
        result = importer.import_file(
            s,
            file,
            context=validation_context(ctx),
            key=deps.audit_key,
            now=deps.clock.now(),
            actor=actor(),
            dry_run=dry_run,
            on_row=on_row,
        )
        if dry_run:
            s.rollback()
    if result.ignored_columns:
        say(ctx, "import.ignored", err=True, columns=", ".join(result.ignored_columns))
    for warning in result.warnings:
        typer.echo(i18n.t(warning.code, state(ctx).locale, **warning.params), err=True)
    if result.warnings_total > len(result.warnings):
        more = result.warnings_total - len(result.warnings)
        say(ctx, "importer.landlines_more", err=True, count=more)
    counts = result.counts()
    typer.echo(i18n.t("import.dry_run" if dry_run else "import.done", state(ctx).locale, **counts))


def export(
    ctx: typer.Context,
    output: Annotated[Path | None, typer.Option("-o", "--output", help="Tệp đích / File")] = None,
    fmt: Annotated[str | None, typer.Option("--format", help="csv | xlsx")] = None,
    lang: Annotated[str, typer.Option(help="Tiêu đề cột: en | vi / Header language")] = "en",
) -> None:
    """Xuất danh sách theo đúng các cột nhập. / Export the inventory in the import columns."""
    chosen = fmt or ("xlsx" if output and output.suffix.lower() == ".xlsx" else "csv")
    if chosen not in {"csv", "xlsx"}:
        raise typer.BadParameter("csv | xlsx", param_hint="--format")
    if chosen == "xlsx" and output is None:
        raise InvalidInput("export.xlsx_needs_file")
    with session(ctx) as s:
        if output is None:
            exporter.export(s, sys.stdout.buffer, fmt="csv", lang=lang)
            sys.stdout.buffer.flush()
            return
        with output.open("wb") as handle:
            count = exporter.export(s, handle, fmt=chosen, lang=lang)
    say(ctx, "export.done", err=True, count=count, path=str(output))


def register(app: typer.Typer) -> None:
    app.command("import")(import_)
    app.command("export")(export)
