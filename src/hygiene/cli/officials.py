"""`hygiene officials list|show|add|deactivate`."""

from typing import Annotated

import typer

from hygiene import i18n
from hygiene.cli.accounts import ACCOUNT_COLUMNS
from hygiene.cli.common import actor, say, session, state, validated, validation_context
from hygiene.cli.output import FormatOption, OutputFormat, emit, print_record
from hygiene.errors import InvalidInput
from hygiene.inventory import service as inventory
from hygiene.inventory.schemas import OfficialCreate

officials_app = typer.Typer(no_args_is_help=True, help="Cán bộ / Officials.")


OFFICIAL_COLUMNS = [
    "employee_id",
    "full_name",
    "unit",
    "email",
    "phone",
    "locale",
    "active",
    "accounts",
]


@officials_app.command("list")
def officials_list(
    ctx: typer.Context,
    unit: Annotated[str | None, typer.Option(help="Lọc theo đơn vị / Filter by unit")] = None,
    search: Annotated[str | None, typer.Option(help="Tìm theo tên, mã, email / Search")] = None,
    all_: Annotated[bool, typer.Option("--all", help="Kể cả đã ngừng / Include inactive")] = False,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """Liệt kê cán bộ. / List officials."""
    with session(ctx) as s:
        rows = inventory.list_officials(s, unit=unit, search=search, include_inactive=all_)
    emit(ctx, rows, fmt, OFFICIAL_COLUMNS, optional=("locale", "phone", "email"))


@officials_app.command("show")
def officials_show(
    ctx: typer.Context, employee_id: str, fmt: FormatOption = OutputFormat.table
) -> None:
    """Xem một cán bộ và các tài khoản. / Show one official with their accounts."""
    with session(ctx) as s:
        detail = inventory.show_official(s, employee_id=employee_id)
    if fmt is OutputFormat.json:
        typer.echo(detail.model_dump_json(indent=2))
        return
    columns = [*OFFICIAL_COLUMNS, "preferred_channels", "has_anti_phishing_phrase"]
    if fmt is not OutputFormat.table:
        emit(ctx, [detail], fmt, columns)
        return
    print_record(ctx, detail.model_dump(), columns)  # label / value lines fit any terminal
    typer.echo()
    emit(ctx, detail.account_list, fmt, ACCOUNT_COLUMNS[1:], optional=("browser_saved", "mfa"))


@officials_app.command("add")
def officials_add(
    ctx: typer.Context,
    employee_id: Annotated[str, typer.Argument(help="Mã cán bộ / Employee id")],
    full_name: Annotated[str, typer.Option("--name", help="Họ và tên / Full name")],
    unit: Annotated[str, typer.Option(help="Đơn vị (đã có) / Existing unit")],
    email: Annotated[str | None, typer.Option()] = None,
    phone: Annotated[str | None, typer.Option()] = None,
    locale: Annotated[str, typer.Option(help="vi | en")] = "",
    channels: Annotated[str, typer.Option(help="email,sms,zalo")] = "email,sms",
) -> None:
    """Thêm một cán bộ. / Add one official."""
    deps = state(ctx).deps
    raw = {
        "employee_id": employee_id,
        "full_name": full_name,
        "unit": unit,
        "email": email,
        "phone": phone,
        "locale": locale,
        "preferred_channels": channels,
    }
    data = validated(
        ctx, lambda: OfficialCreate.model_validate(raw, context=validation_context(ctx))
    )
    if data.email is None and data.phone is None:
        raise InvalidInput(
            "official.bad_field",
            field="email",
            reason=i18n.t("import.no_contact", state(ctx).locale),
        )
    with session(ctx) as s:
        inventory.add_official(
            s, data=data, key=deps.audit_key, now=deps.clock.now(), actor=actor()
        )
    say(ctx, "official.added", employee_id=data.employee_id)


@officials_app.command("deactivate")
def officials_deactivate(ctx: typer.Context, employee_id: str) -> None:
    """Ngừng theo dõi (nghỉ việc, chuyển công tác). / Stop reminding an official who left."""
    deps = state(ctx).deps
    with session(ctx) as s:
        inventory.deactivate_official(
            s, employee_id=employee_id, key=deps.audit_key, now=deps.clock.now(), actor=actor()
        )
    say(ctx, "official.deactivated", employee_id=employee_id)


def register(app: typer.Typer) -> None:
    app.add_typer(officials_app, name="officials")
