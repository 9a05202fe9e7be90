"""`hygiene advisories add|list`: security advisories, sent in the weekly digests.

`add --unit NAME` (repeatable) publishes to the officials of those units, like the console's
and the API's audience; without it, to every official. An unknown unit publishes nothing.
"""

from pathlib import Path
from typing import Annotated

import typer

from hygiene.advisories import audience
from hygiene.advisories import service as advisories
from hygiene.cli.common import actor, say, session, state, unreadable
from hygiene.cli.output import FormatOption, OutputFormat, emit, print_rows
from hygiene.db import row_id
from hygiene.errors import InvalidInput

advisories_app = typer.Typer(no_args_is_help=True, help="Cảnh báo an ninh / Advisories.")


ADVISORY_COLUMNS = ["id", "title", "severity", "reference", "requires_ack", "published_at"]


TitleOption = Annotated[str, typer.Option(help="Tiêu đề / Title")]
BodyFileOption = Annotated[Path, typer.Option(help="Tệp nội dung UTF-8 / UTF-8 body file")]
SeverityOption = Annotated[str, typer.Option(help="low | medium | high")]
ReferenceOption = Annotated[str | None, typer.Option(help="Số văn bản / Letter number")]
RequiresAckOption = Annotated[
    bool, typer.Option("--requires-ack", help="Cần xác nhận / Needs an acknowledgement")
]
UnitOption = Annotated[
    list[str] | None,
    typer.Option(
        "--unit",
        help="Chỉ gửi cho cán bộ của đơn vị này (lặp lại được; mặc định: mọi cán bộ)"
        " / Only the officials of this unit (repeatable; default: every official)",
    ),
]


@advisories_app.command("add")
def advisories_add(
    ctx: typer.Context,
    title: TitleOption,
    body_file: BodyFileOption,
    severity: SeverityOption = "medium",
    reference: ReferenceOption = None,
    requires_ack: RequiresAckOption = False,
    unit: UnitOption = None,
) -> None:
    """Đăng một cảnh báo (gửi trong bản tin tuần). / Publish an advisory (sent in digests)."""
    deps = state(ctx).deps
    body = _read_body(body_file)
    with session(ctx) as s:
        advisory = audience.publish(
            s,
            title=title,
            body=body,
            severity=severity,
            reference=reference,
            requires_ack=requires_ack,
            audience=unit or [],
            now=deps.clock.now(),
            actor=actor(),
            key=deps.audit_key,
        )
        units = audience.units_of(s, [row_id(advisory.id)]).get(row_id(advisory.id), [])
    say(ctx, "engine.advisory.added", id=advisory.id, title=advisory.title)
    if units:
        say(ctx, "engine.advisory.audience_units", units=", ".join(units))
    else:
        say(ctx, "engine.advisory.audience_all")


def _read_body(body_file: Path) -> str:
    """The advisory's text; an unreadable or non-UTF-8 file is one localized error."""
    try:
        return body_file.read_text("utf-8")
    except OSError as exc:
        raise unreadable(exc) from None
    except UnicodeDecodeError as exc:
        raise InvalidInput(
            "engine.advisory.bad_body", path=str(body_file), reason=str(exc)
        ) from None


@advisories_app.command("list")
def advisories_list(ctx: typer.Context, fmt: FormatOption = OutputFormat.table) -> None:
    """Liệt kê cảnh báo, mới nhất trước. / List advisories, newest first."""
    with session(ctx) as s:
        rows = list(advisories.list_advisories(s))
    if fmt is OutputFormat.table:
        print_rows(ctx, [r.model_dump() for r in rows], ADVISORY_COLUMNS)
        return
    emit(ctx, rows, fmt, [*ADVISORY_COLUMNS, "body"])


def register(app: typer.Typer) -> None:
    app.add_typer(advisories_app, name="advisories")
