"""The outbox and advisories commands: `outbox list|show|retry`, `advisories add|list`."""

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from hygiene import i18n
from hygiene.advisories import service as advisories
from hygiene.audit import service as audit
from hygiene.cli.common import OutputFormat, actor, emit, say, session, state
from hygiene.errors import InvalidInput, NotFound
from hygiene.outbox import queries
from hygiene.outbox import service as outbox

outbox_app = typer.Typer(no_args_is_help=True, help="Hàng đợi tin nhắn / The outbox.")
advisories_app = typer.Typer(no_args_is_help=True, help="Cảnh báo an ninh / Advisories.")
FormatOption = Annotated[OutputFormat, typer.Option("--format", "-f", help="table | json | csv")]


def _table(ctx: typer.Context, rows: list[dict[str, Any]], columns: list[str]) -> None:
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


def _cell(value: Any, locale: str) -> str:
    if isinstance(value, bool):
        return i18n.t("col.yes" if value else "col.no", locale)
    return "" if value is None else str(i18n.format_value(value))


MESSAGE_COLUMNS = [
    "id",
    "campaign",
    "kind",
    "stage",
    "employee_id",
    "status",
    "attempts",
    "planned_on",
    "next_attempt_at",
    "channel",
    "last_error",
]


@outbox_app.command("list")
def outbox_list(
    ctx: typer.Context,
    status: Annotated[str | None, typer.Option(help=" | ".join(outbox.STATUSES))] = None,
    official: Annotated[str | None, typer.Option(help="Mã cán bộ / Employee id")] = None,
    limit: Annotated[int, typer.Option(min=1, help="Tối đa / At most")] = 500,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """Liệt kê tin nhắn, mới nhất trước. / List messages, newest first."""
    if status is not None and status not in outbox.STATUSES:
        raise InvalidInput("engine.outbox.bad_status", allowed=", ".join(outbox.STATUSES))
    with session(ctx) as s:
        rows = queries.list_messages(s, status=status, employee_id=official, limit=limit)
    if fmt is OutputFormat.table:
        _table(ctx, [r.model_dump() for r in rows], MESSAGE_COLUMNS)
        return
    emit(ctx, rows, fmt, [*MESSAGE_COLUMNS, "idempotency_key", "recipient", "sent_at"])


@outbox_app.command("show")
def outbox_show(
    ctx: typer.Context, message_id: int, fmt: FormatOption = OutputFormat.table
) -> None:
    """Xem một tin nhắn và các lần gửi. / Show one message and its delivery attempts."""
    with session(ctx) as s:
        detail = queries.show_message(s, message_id)
    if detail is None:
        raise NotFound("engine.outbox.not_found", id=message_id)
    if fmt is not OutputFormat.table:
        typer.echo(detail.model_dump_json(indent=2))
        return
    _table(ctx, [detail.model_dump()], [*MESSAGE_COLUMNS, "idempotency_key", "recipient"])
    if detail.subject:
        typer.echo(f"\n{detail.subject}\n\n{detail.body or ''}")
    say(ctx, "engine.outbox.attempts")
    columns = ["attempt", "worker", "channel", "recipient", "outcome", "detail", "finished_at"]
    _table(ctx, [a.model_dump() for a in detail.attempt_list], columns)


@outbox_app.command("retry")
def outbox_retry(ctx: typer.Context, message_id: int) -> None:
    """Gửi lại một tin thất bại hoặc đã ngừng. / Send a failed or dead message again."""
    deps = state(ctx).deps
    with session(ctx) as s:
        detail = queries.show_message(s, message_id)
        if detail is None:
            raise NotFound("engine.outbox.not_found", id=message_id)
        now = deps.clock.now()
        if not outbox.retry(s, message_id=message_id, now=now):
            raise InvalidInput("engine.outbox.not_retryable", id=message_id, status=detail.status)
        audit.append(
            s,
            key=deps.audit_key,
            now=now,
            actor=actor(),
            action="message.retry",
            subject=f"message:{message_id}",
            data={"key": detail.idempotency_key},
        )
    say(ctx, "engine.outbox.retried", id=message_id)


ADVISORY_COLUMNS = ["id", "title", "severity", "reference", "requires_ack", "published_at"]


@advisories_app.command("add")
def advisories_add(
    ctx: typer.Context,
    title: Annotated[str, typer.Option(help="Tiêu đề / Title")],
    body_file: Annotated[Path, typer.Option(help="Tệp nội dung UTF-8 / UTF-8 body file")],
    severity: Annotated[str, typer.Option(help="low | medium | high")] = "medium",
    reference: Annotated[str | None, typer.Option(help="Số văn bản / Letter number")] = None,
    requires_ack: Annotated[bool, typer.Option("--requires-ack", help="Cần xác nhận")] = False,
) -> None:
    """Đăng một cảnh báo (gửi trong bản tin tuần). / Publish an advisory (sent in digests)."""
    deps = state(ctx).deps
    try:
        body = body_file.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput(
            "engine.advisory.bad_body", path=str(body_file), reason=str(exc)
        ) from None
    with session(ctx) as s:
        advisory = advisories.publish(
            s,
            title=title,
            body=body,
            severity=severity,
            reference=reference,
            requires_ack=requires_ack,
            now=deps.clock.now(),
            actor=actor(),
            key=deps.audit_key,
        )
    say(ctx, "engine.advisory.added", id=advisory.id, title=advisory.title)


@advisories_app.command("list")
def advisories_list(ctx: typer.Context, fmt: FormatOption = OutputFormat.table) -> None:
    """Liệt kê cảnh báo, mới nhất trước. / List advisories, newest first."""
    with session(ctx) as s:
        rows = list(advisories.list_advisories(s))
    if fmt is OutputFormat.table:
        _table(ctx, [r.model_dump() for r in rows], ADVISORY_COLUMNS)
        return
    emit(ctx, rows, fmt, [*ADVISORY_COLUMNS, "body"])


def register(app: typer.Typer) -> None:
    app.add_typer(outbox_app, name="outbox")
    app.add_typer(advisories_app, name="advisories")
