"""`hygiene sources …`: the directories that give evidence, a connection test, and sync."""

import json
from datetime import datetime
from typing import Annotated
from zoneinfo import ZoneInfo

import typer
from pydantic import BaseModel

from hygiene import i18n
from hygiene.cli.common import actor, say, session, state, validation_context
from hygiene.cli.output import OutputFormat, emit
from hygiene.clock import as_utc
from hygiene.errors import NotFound
from hygiene.settings import SourceConfig
from hygiene.sources import findings, importer, registry, service, status
from hygiene.sources.base import SourceError, mask

sources_app = typer.Typer(no_args_is_help=True, help="Nguồn thư mục / Directory sources.")
SAMPLE_LIMIT = 100_000


class SourceRow(BaseModel):
    source: str
    source_kind: str
    covers: str
    schedule: str
    last_sync: str
    state: str


class FindingRow(BaseModel):
    employee_id: str
    full_name: str
    unit: str
    system: str
    login: str
    declared_on: str
    directory_changed_on: str
    source: str


def _config(ctx: typer.Context, name: str) -> SourceConfig:
    entries = state(ctx).settings.sources.entries
    if name not in entries:
        raise NotFound("sources.unknown", name=name, known=", ".join(entries) or "—")
    return entries[name]


@sources_app.command("list")
def list_(
    ctx: typer.Context,
    fmt: Annotated[OutputFormat, typer.Option("--format", "-f")] = OutputFormat.table,
) -> None:
    """Các nguồn đã cấu hình và lần đồng bộ gần nhất. / Configured sources and their last sync."""
    deps = state(ctx).deps
    locale = state(ctx).locale
    with session(ctx) as s:
        health = {h.source: h for h in status.health(s, settings=deps.settings)}
    rows = [
        SourceRow(
            source=name,
            source_kind=config.kind,
            covers=", ".join(config.covers),
            schedule=config.cron or "—",
            last_sync=_local(health[name].last_ok_at, deps.settings.zone),
            state=i18n.t(f"sources.state.{health[name].state}", locale),
        )
        for name, config in deps.settings.sources.entries.items()
    ]
    emit(ctx, rows, fmt, list(SourceRow.model_fields), codes={"source_kind": "source_kind"})


def _local(at: datetime | None, zone: ZoneInfo) -> str:
    """A time people read, in HYGIENE_TIMEZONE."""
    return str(i18n.format_value(as_utc(at).astimezone(zone))) if at else "—"


@sources_app.command("test")
def test(
    ctx: typer.Context, name: Annotated[str, typer.Argument(help="Tên nguồn / Source name")]
) -> None:
    """Kết nối, đếm và in một mẫu đã che. / Connect, count, and print one masked sample."""
    config = _config(ctx, name)
    counts = {"entries": 0, "changed": 0, "disabled": 0, "mfa": 0}
    sample = None
    with registry.build(name, config) as source:
        for found in source.observe():
            counts["entries"] += 1
            counts["changed"] += found.password_changed_at is not None
            counts["disabled"] += bool(found.disabled)
            counts["mfa"] += bool(found.mfa)
            sample = sample or found
            if counts["entries"] >= SAMPLE_LIMIT:
                break
    typer.echo(i18n.t("sources.test.counts", state(ctx).locale, name=name, **counts))
    if sample is not None:
        changed = sample.password_changed_at
        say(
            ctx,
            "sources.test.sample",
            identity=mask(sample.identity),
            email=mask(sample.email),
            changed=i18n.format_value(changed) if changed else "—",
        )


OptionalNameArgument = Annotated[
    str | None, typer.Argument(help="Tên nguồn (mặc định: tất cả) / Source name (default: all)")
]
SyncDryRunOption = Annotated[bool, typer.Option("--dry-run", help="Không ghi gì / Change nothing")]


@sources_app.command("sync")
def sync(
    ctx: typer.Context, name: OptionalNameArgument = None, dry_run: SyncDryRunOption = False
) -> None:
    """Đồng bộ bằng chứng từ thư mục. / Read the evidence from the directories."""
    deps = state(ctx).deps
    names = [name] if name else [n for n, c in deps.settings.sources.entries.items() if c.enabled]
    failed = 0
    for each in names:
        if not _sync_one(ctx, each, dry_run=dry_run):
            failed += 1
    if failed:
        raise typer.Exit(1)


def _sync_one(ctx: typer.Context, name: str, *, dry_run: bool) -> bool:
    """Sync one source and print its counts; False (the error said) when the source failed."""
    deps = state(ctx).deps
    config = _config(ctx, name)
    try:
        result = service.run(
            engine=deps.engine,
            settings=deps.settings,
            name=name,
            source=registry.build(name, config),
            now=deps.clock.now(),
            key=deps.audit_key,
            actor=actor(),
            dry_run=dry_run,
        )
    except SourceError as exc:
        say(ctx, "cli.error", err=True, message=exc.render(state(ctx).locale))
        return False
    key = "sources.sync.dry_run" if dry_run else "sources.sync.done"
    counts = {**result.counts, "stopped": result.stopped, "flagged": result.flagged}
    typer.echo(
        i18n.t(
            key,
            state(ctx).locale,
            name=name,
            entries=result.entries,
            matched=result.matched,
            **counts,
        )
    )
    return True


@sources_app.command("findings")
def findings_(
    ctx: typer.Context,
    fmt: Annotated[OutputFormat, typer.Option("--format", "-f")] = OutputFormat.table,
) -> None:
    """Khai báo đã đổi nhưng thư mục không thấy. / Declared but not seen in the directory."""
    deps = state(ctx).deps
    today = deps.clock.now().astimezone(deps.settings.zone).date()
    with session(ctx) as s:
        found = findings.declared_not_seen(s, settings=deps.settings, today=today)
    rows = [
        FindingRow(
            employee_id=f.employee_id,
            full_name=f.full_name,
            unit=f.unit,
            system=f.system,
            login=f.login,
            declared_on=i18n.format_value(f.declared_on),
            directory_changed_on=i18n.format_value(f.directory_changed_on)
            if f.directory_changed_on
            else "—",
            source=f.source,
        )
        for f in found
    ]
    if fmt is OutputFormat.json:
        typer.echo(json.dumps([r.model_dump() for r in rows], ensure_ascii=False, indent=2))
        return
    emit(ctx, rows, fmt, list(FindingRow.model_fields))


NameArgument = Annotated[str, typer.Argument(help="Tên nguồn / Source name")]
ApplyOption = Annotated[
    bool,
    typer.Option(
        "--apply/--dry-run",
        help="Ghi vào danh sách (mặc định: chỉ chạy thử) / Write (default: a dry run)",
    ),
]


@sources_app.command("import")
def import_(ctx: typer.Context, name: NameArgument, apply: ApplyOption = False) -> None:
    """Nhập cán bộ còn thiếu từ thư mục, tất cả hoặc không. / Import the officials the
    inventory lacks from the directory, all or nothing."""
    config = _config(ctx, name)
    deps, locale = state(ctx).deps, state(ctx).locale
    try:
        with session(ctx) as s:
            report = importer.import_directory(
                s,
                name=name,
                config=config,
                source=registry.build(name, config),
                context=validation_context(ctx),
                key=deps.audit_key,
                now=deps.clock.now(),
                actor=actor(),
                dry_run=not apply,
            )
            if not apply:
                s.rollback()
    except importer.DirectoryRejected as exc:
        _say_rejected(ctx, exc)
        raise typer.Exit(1) from None
    except SourceError as exc:
        say(ctx, "cli.error", err=True, message=exc.render(locale))
        raise typer.Exit(1) from None
    _say_imported(ctx, name, report, apply=apply)


def _say_rejected(ctx: typer.Context, exc: importer.DirectoryRejected) -> None:
    """The refusal, then each problem by line and the directory's identity on it (stderr)."""
    locale = state(ctx).locale
    say(ctx, "cli.error", err=True, message=exc.render(locale))
    for problem in exc.problems:
        reason = i18n.t(problem.code, locale, **problem.params)
        identity = exc.identities.get(problem.line, "")
        typer.echo(
            i18n.t(
                "sources.import.problem",
                locale,
                line=problem.line,
                identity=identity,
                attribute=problem.column,
                value=problem.value or "—",
                reason=reason,
            ),
            err=True,
        )
    if exc.total > len(exc.problems):
        say(ctx, "import.more", err=True, count=exc.total - len(exc.problems))


def _say_imported(
    ctx: typer.Context, name: str, report: importer.DirectoryImport, *, apply: bool
) -> None:
    locale = state(ctx).locale
    for warning in report.warnings:
        typer.echo(i18n.t(warning.code, locale, **warning.params), err=True)
    counts = report.counts()
    typer.echo(i18n.t("sources.import.done" if apply else "sources.import.dry_run", locale,
                      name=name, **counts))  # fmt: skip
    say(ctx, "sources.import.kept", count=report.not_in_directory)
    if apply and report.result.changed:
        say(ctx, "sources.import.next", name=name)


def register(app: typer.Typer) -> None:
    app.add_typer(sources_app, name="sources")
