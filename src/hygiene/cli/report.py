"""`hygiene report …`: compliance figures, from the same query layer as the console and the API."""

import json
from datetime import date
from typing import Annotated

import typer

from hygiene import i18n
from hygiene.cli.common import say, session, state
from hygiene.cli.output import OutputFormat, echo_wrapped, emit
from hygiene.inventory import values
from hygiene.reports import compliance, profiles, snapshot

report_app = typer.Typer(no_args_is_help=True, help="Báo cáo / Reports.")
COLUMNS = [
    "unit",
    "officials",
    "accounts",
    "on_time_pct",
    "overdue",
    "mfa_pct",
    "browser_saved",
    "advisory_ack_pct",
]


def _day(ctx: typer.Context, value: str | None) -> date | None:
    try:
        return values.parse_date(value) if value else None
    except values.FieldError as exc:
        message = i18n.t(exc.code, state(ctx).locale, **exc.params)
        raise typer.BadParameter(message, param_hint="--as-of") from None


@report_app.command("compliance")
def compliance_(
    ctx: typer.Context,
    unit: Annotated[str | None, typer.Option("--unit", help="Tên đơn vị / Unit name")] = None,
    fmt: Annotated[OutputFormat, typer.Option("--format", "-f")] = OutputFormat.table,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Tính đến ngày dd/mm/yyyy / As of this day")
    ] = None,
) -> None:
    """Tuân thủ theo đơn vị (giống trang quản trị và API). / Compliance per unit."""
    deps = state(ctx).deps
    at = compliance.clock_at(deps.settings, deps.clock.now(), _day(ctx, as_of))
    with session(ctx) as s:
        result = compliance.report(s, policies=deps.settings.policies, at=at, unit=unit)
    if fmt is OutputFormat.json:
        typer.echo(json.dumps(result.model_dump(mode="json"), ensure_ascii=False, indent=2))
        return
    rows = list(result.units)
    if unit is None:  # the sum row: named in a table, "*" in CSV as in the API's JSON
        table = fmt is OutputFormat.table
        name = i18n.t("console.compliance.total", state(ctx).locale) if table else "*"
        rows.append(result.total.model_copy(update={"unit": name}))
    emit(ctx, rows, fmt, COLUMNS, title=str(result.as_of.strftime("%d/%m/%Y")))
    if fmt is OutputFormat.table:
        echo_wrapped(profiles.note(deps.settings.policies, state(ctx).locale))


@report_app.command("snapshot")
def snapshot_(ctx: typer.Context) -> None:
    """Lưu số liệu tuân thủ hôm nay (thay bản lưu trước trong ngày). / Store today's figures."""
    deps = state(ctx).deps
    now = deps.clock.now()
    with session(ctx) as s:
        taken = snapshot.take(
            s, policies=deps.settings.policies, at=compliance.clock_at(deps.settings, now), now=now
        )
    say(ctx, "reports.snapshot_done", day=taken.day, units=taken.units)  # after the commit


def register(app: typer.Typer) -> None:
    app.add_typer(report_app, name="report")
