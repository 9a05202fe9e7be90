"""`hygiene units list|add|set-head`."""

from typing import Annotated

import typer

from hygiene import i18n
from hygiene.cli.common import actor, say, session, state
from hygiene.cli.output import FormatOption, OutputFormat, emit
from hygiene.errors import InvalidInput
from hygiene.inventory import heads
from hygiene.inventory import service as inventory

units_app = typer.Typer(no_args_is_help=True, help="Đơn vị / Units.")


@units_app.command("list")
def units_list(ctx: typer.Context, fmt: FormatOption = OutputFormat.table) -> None:
    """Liệt kê đơn vị. / List units."""
    with session(ctx) as s:
        rows = inventory.list_units(s)
    emit(ctx, rows, fmt, ["id", "name", "parent", "officials"])


@units_app.command("add")
def units_add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Tên đơn vị / Unit name")],
    parent: Annotated[str | None, typer.Option(help="Đơn vị cấp trên / Parent unit")] = None,
) -> None:
    """Thêm đơn vị. / Add a unit."""
    deps = state(ctx).deps
    clean = " ".join(name.split())
    if not clean:
        raise InvalidInput("official.bad_field", field="name", reason=i18n.t("value.required"))
    with session(ctx) as s:
        inventory.add_unit(
            s, name=clean, parent=parent, key=deps.audit_key, now=deps.clock.now(), actor=actor()
        )
    say(ctx, "unit.added", name=clean)


@units_app.command("set-head")
def units_set_head(
    ctx: typer.Context,
    unit: Annotated[str, typer.Argument(help="Tên đơn vị / Unit name")],
    employee_id: Annotated[
        str | None, typer.Argument(help="Mã cán bộ; bỏ trống để xóa / Employee id; omit to clear")
    ] = None,
) -> None:
    """Chỉ định lãnh đạo đơn vị (nhận cảnh báo quá hạn). / Name the unit head (gets escalations)."""
    deps = state(ctx).deps
    with session(ctx) as s:
        row = heads.set_head(
            s, unit=unit, employee_id=employee_id, key=deps.audit_key, now=deps.clock.now(),
            actor=actor(),
        )  # fmt: skip
        head = heads.head_of(s, row)
        name = row.name
        shown = f"{head.full_name} ({head.employee_id})" if head else None
    if shown:
        say(ctx, "unit_head.set", head=shown, name=name)
    else:
        say(ctx, "unit_head.cleared", name=name)


def register(app: typer.Typer) -> None:
    app.add_typer(units_app, name="units")
