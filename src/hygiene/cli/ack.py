"""`hygiene ack CODE`: record an acknowledgement code on an official's behalf."""

from typing import Annotated

import typer

from hygiene import i18n
from hygiene.acks import service as acks
from hygiene.cli.common import actor, say, session, state


def ack(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(help="Mã xác nhận XXXX-XXXX / The code")],
    note: Annotated[
        str | None, typer.Option(help="Ghi chú, ví dụ 'qua điện thoại' / A note, e.g. 'by phone'")
    ] = None,
) -> None:
    """Ghi nhận một mã xác nhận thay cán bộ. / Record an acknowledgement code for an official."""
    deps = state(ctx).deps
    with session(ctx) as s:
        result = acks.acknowledge(
            s,
            typed=code,
            how="admin",
            actor=actor(),
            now=deps.clock.now(),
            secret=deps.secret,
            zone=deps.settings.zone,
            note=note,
        )
    locale = state(ctx).locale
    what = i18n.t(f"ack.what_{result.what}", locale)
    say(ctx, "ack.recorded_cli", id=result.message_id, what=what, on=result.on)
    if result.accounts:
        say(ctx, "ack.done_accounts", items=", ".join(result.accounts))
    if result.advisories:
        say(ctx, "ack.done_advisories", items="; ".join(result.advisories))


def register(app: typer.Typer) -> None:
    app.command("ack")(ack)
