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
from hygiene.inventory.validate import OnRow

FileArgument = Annotated[Path, typer.Argument(help=".csv | .xlsx")]
DryRunOption = Annotated[
    bool, typer.Option("--dry-run", help="Chỉ báo cáo, không ghi / Report only, write nothing")
]


def import_(ctx: typer.Context, file: FileArgument, dry_run: DryRunOption = False) -> None:
    """Nhập danh sách từ CSV/XLSX/XLS, tất cả hoặc không. / Import CSV/XLSX/XLS, all or nothing."""
    input_file(file)
    deps = state(ctx).deps
    err = Console(stderr=True)
    progress, on_row = _progress(ctx, err)
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
    _say_result(ctx, result, dry_run=dry_run)


def _progress(ctx: typer.Context, err: Console) -> tuple[Progress, OnRow]:
    """A transient bar on stderr (shown in a terminal only) and the callback that advances it."""
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

    return progress, on_row


def _say_result(ctx: typer.Context, result: importer.ImportResult, *, dry_run: bool) -> None:
    """Ignored columns and warnings on stderr, then the counts (what was, or would be, done)."""
    if result.ignored_columns:
        say(ctx, "import.ignored", err=True, columns=", ".join(result.ignored_columns))
    for warning in result.warnings:
        typer.echo(i18n.t(warning.code, state(ctx).locale, **warning.params), err=True)
    if result.warnings_total > len(result.warnings):
        more = result.warnings_total - len(result.warnings)
        say(ctx, "importer.landlines_more", err=True, count=more)
    counts = result.counts()
    typer.echo(i18n.t("import.dry_run" if dry_run else "import.done", state(ctx).locale, **counts))


OutputOption = Annotated[Path | None, typer.Option("-o", "--output", help="Tệp đích / File")]
ExportFormatOption = Annotated[str | None, typer.Option("--format", help="csv | xlsx")]
LangOption = Annotated[str, typer.Option(help="Tiêu đề cột: en | vi / Header language")]


def export(
    ctx: typer.Context,
    output: OutputOption = None,
    fmt: ExportFormatOption = None,
    lang: LangOption = "en",
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
