"""`hygiene outbox list|show|retry`: the messages waiting, sent or failed, and their attempts;
`hygiene outbox held|release|cancel`: the messages a restored database holds (hygiene.restore)."""

from typing import Annotated

import typer

from hygiene.audit import service as audit
from hygiene.cli.common import actor, say, session, state
from hygiene.cli.output import FormatOption, OutputFormat, emit, print_record, print_rows
from hygiene.errors import InvalidInput, NotFound
from hygiene.outbox import queries
from hygiene.outbox import service as outbox
from hygiene.restore import decisions as restore

outbox_app = typer.Typer(no_args_is_help=True, help="Hàng đợi tin nhắn / The outbox.")


# Stored codes shown by their labels; narrow terminals drop the optional columns first.
MESSAGE_CODES = {"status": "message_status", "kind": "message_kind"}
MESSAGE_OPTIONAL = ("stage", "planned_on", "attempts", "kind")
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
        print_rows(
            ctx, [r.model_dump() for r in rows], MESSAGE_COLUMNS, codes=MESSAGE_CODES,
            optional=MESSAGE_OPTIONAL,
        )  # fmt: skip
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
    fields = [*MESSAGE_COLUMNS, "idempotency_key", "recipient"]
    print_record(ctx, detail.model_dump(), fields, headers="engine.col", codes=MESSAGE_CODES)
    if detail.subject:
        typer.echo(f"\n{detail.subject}\n\n{detail.body or ''}")
    say(ctx, "engine.outbox.attempts")
    columns = ["attempt", "worker", "channel", "recipient", "outcome", "detail", "finished_at"]
    print_rows(ctx, [a.model_dump() for a in detail.attempt_list], columns, optional=("worker",))


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


HELD_COLUMNS = ["id", "campaign", "kind", "stage", "employee_id", "recipient", "planned_on",
                "message_id"]  # fmt: skip
HeldIds = Annotated[list[int] | None, typer.Argument(help="Số tin / Message ids")]
AllOption = Annotated[bool, typer.Option("--all", help="Mọi tin bị giữ lại / Every held message")]


@outbox_app.command("held")
def outbox_held(ctx: typer.Context, fmt: FormatOption = OutputFormat.table) -> None:
    """Các tin bị giữ lại sau khi khôi phục cơ sở dữ liệu. / Messages held after a restore."""
    deps = state(ctx).deps
    with session(ctx) as s:
        rows = restore.held(s, settings=deps.settings)
    if fmt is not OutputFormat.table:
        emit(ctx, rows, fmt, HELD_COLUMNS)
        return
    if not rows:
        say(ctx, "restore.none_held")
        return
    print_rows(ctx, [r.model_dump() for r in rows], HELD_COLUMNS, codes=MESSAGE_CODES,
               optional=("stage", "planned_on", "kind"))  # fmt: skip
    say(ctx, "restore.held_count", count=len(rows))


def _decide(ctx: typer.Context, ids: list[int] | None, every: bool, *, release: bool) -> None:
    if every and ids:
        raise InvalidInput("restore.both")
    if not every and not ids:
        raise InvalidInput("restore.choose")
    deps = state(ctx).deps
    with session(ctx) as s:
        changed = restore.decide(
            s,
            ids=None if every else ids,
            release=release,
            now=deps.clock.now(),
            audit_key=deps.audit_key,
            actor=actor(),
        )
    say(ctx, "restore.released" if release else "restore.cancelled", count=len(changed))


@outbox_app.command("release")
def outbox_release(ctx: typer.Context, ids: HeldIds = None, every: AllOption = False) -> None:
    """Cho gửi các tin bị giữ lại (mỗi quyết định ghi vào nhật ký). / Send held messages after
    all (each decision is logged)."""
    _decide(ctx, ids, every, release=True)


@outbox_app.command("cancel")
def outbox_cancel(ctx: typer.Context, ids: HeldIds = None, every: AllOption = False) -> None:
    """Hủy các tin bị giữ lại: không bao giờ gửi (mỗi quyết định ghi vào nhật ký). / Never send
    held messages (each decision is logged)."""
    _decide(ctx, ids, every, release=False)


def register(app: typer.Typer) -> None:
    app.add_typer(outbox_app, name="outbox")
