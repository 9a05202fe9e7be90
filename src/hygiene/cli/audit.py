"""`hygiene audit …`: verify and export the compliance log."""

import json
import sys
from collections.abc import Iterable
from datetime import datetime, time
from pathlib import Path
from typing import IO, Annotated, Any
from zoneinfo import ZoneInfo

import typer

from hygiene import checkpoint_mail, i18n
from hygiene.audit import checkpoints
from hygiene.audit import service as audit
from hygiene.cli.common import say, session, state, unreadable
from hygiene.inventory import values
from hygiene.tabular import write_sheet

audit_app = typer.Typer(no_args_is_help=True, help="Nhật ký tuân thủ / Compliance log.")


def _claims(ctx: typer.Context, given: list[str], path: Path | None) -> list[checkpoints.Claim]:
    claims = []
    for value in given:
        try:
            claims.append(checkpoints.parse_claim(value))
        except ValueError:
            message = i18n.t("checkpoint.bad_value", state(ctx).locale, value=value)
            raise typer.BadParameter(message, param_hint="--checkpoint") from None
    if path is not None:
        try:
            found = checkpoints.claims_from_text(path.read_text("utf-8", errors="replace"))
        except OSError as exc:
            raise unreadable(exc) from None
        if not found:
            message = i18n.t("checkpoint.none_in_file", state(ctx).locale, path=str(path))
            raise typer.BadParameter(message, param_hint="--checkpoints")
        claims.extend(found)
    return claims


@audit_app.command("verify")
def verify(
    ctx: typer.Context,
    checkpoint: Annotated[
        list[str] | None,
        typer.Option(
            "--checkpoint",
            help="SEQ:HASH đã nhận qua email (lặp lại được) / A received SEQ:HASH (repeatable)",
        ),
    ] = None,
    checkpoints_file: Annotated[
        Path | None,
        typer.Option(
            "--checkpoints",
            help="Tệp chứa các dòng điểm kiểm tra đã nhận / File of received checkpoint lines",
        ),
    ] = None,
) -> None:
    """Kiểm tra chuỗi băm và các điểm kiểm tra; mã thoát 3 nếu bị can thiệp. / Check the chain
    and received checkpoints; exit 3 if tampered."""
    claims = _claims(ctx, checkpoint or [], checkpoints_file)
    deps = state(ctx).deps
    with session(ctx) as s:
        result = audit.verify(s, key=deps.audit_key, most=deps.settings.security.verify_workers)
        mismatches = checkpoints.check(s, claims=claims)
    locale = state(ctx).locale
    for mismatch in mismatches:
        claim = mismatch.claim
        say(ctx, f"checkpoint.{mismatch.reason}", err=True, seq=claim.seq, hash=claim.head_hash)
    if result.ok and not mismatches:
        say(ctx, "audit.ok", count=result.count, head=result.head_hash)
        if claims:
            say(ctx, "checkpoint.all_held", count=len(claims))
        return
    if not result.ok:
        reason = i18n.t(f"audit.reason.{result.reason}", locale)
        say(ctx, "audit.broken", err=True, seq=result.first_bad_seq, reason=reason,
            count=result.count)  # fmt: skip
    raise typer.Exit(3)


@audit_app.command("checkpoint")
def checkpoint(ctx: typer.Context) -> None:
    """Gửi điểm kiểm tra nhật ký cho cán bộ an ninh ngay. / Send a log checkpoint to the security
    officers now."""
    deps = state(ctx).deps
    with session(ctx) as s:
        issued = checkpoint_mail.issue(
            s, settings=deps.settings, key=deps.audit_key, now=deps.clock.now(), actor="cli"
        )
        s.commit()
    checkpoints.remember(deps.settings.checkpoint_path, issued.checkpoint)
    say(ctx, "checkpoint.issued", recipients=issued.recipients)
    typer.echo(issued.checkpoint.line())


SinceOption = Annotated[
    str | None, typer.Option(help="Từ ngày dd/mm/yyyy hoặc yyyy-mm-dd / From this date")
]
OutputOption = Annotated[Path | None, typer.Option("-o", "--output", help="Tệp đích / File")]
ExportFormatOption = Annotated[str, typer.Option("--format", help="csv | jsonl")]


@audit_app.command("export")
def export(
    ctx: typer.Context,
    since: SinceOption = None,
    output: OutputOption = None,
    fmt: ExportFormatOption = "csv",
) -> None:
    """Xuất nhật ký (CSV hoặc JSON lines). / Export the log as CSV or JSON lines."""
    zone = state(ctx).deps.settings.zone
    if fmt not in {"csv", "jsonl"}:
        raise typer.BadParameter("csv | jsonl", param_hint="--format")
    start = _start_of(ctx, since, zone)
    with session(ctx) as s:
        rows = audit.export_rows(s, since=start)
        handle = output.open("wb") if output else sys.stdout.buffer
        try:
            count = _write_rows(handle, rows, fmt)
        finally:
            if output:
                handle.close()
            else:
                handle.flush()
    if output:
        say(ctx, "audit.exported", err=True, count=count)


def _start_of(ctx: typer.Context, since: str | None, zone: ZoneInfo) -> datetime | None:
    """The start of the day `--since` names, in `zone`; None exports the whole log."""
    if not since:
        return None
    try:
        day = values.parse_date(since)
    except values.FieldError as exc:
        message = i18n.t(exc.code, state(ctx).locale)
        raise typer.BadParameter(message, param_hint="--since") from None
    if day is None:
        return None
    return datetime.combine(day, time(), tzinfo=zone)


def _write_rows(handle: IO[bytes], rows: Iterable[dict[str, Any]], fmt: str) -> int:
    """Write the events as JSON lines or CSV (`data` as JSON text); return how many."""
    if fmt == "jsonl":
        count = 0
        for count, row in enumerate(rows, start=1):  # noqa: B007  (count is used after)
            handle.write((json.dumps(row, ensure_ascii=False) + "\n").encode("utf-8"))
        return count
    table = (
        [
            r[c] if c != "data" else json.dumps(r[c], ensure_ascii=False)
            for c in audit.EXPORT_COLUMNS
        ]
        for r in rows
    )
    return write_sheet(handle, "csv", audit.EXPORT_COLUMNS, table)


def register(app: typer.Typer) -> None:
    app.add_typer(audit_app, name="audit")
