"""Inventory commands: import / export, officials, accounts, units and the demo district."""

import sys
from collections.abc import Callable
from contextlib import nullcontext
from pathlib import Path
from typing import Annotated, TypeVar

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from hygiene import demo as demo_district
from hygiene import i18n
from hygiene.cli.common import OutputFormat, actor, emit, say, session, state
from hygiene.errors import InvalidInput
from hygiene.inventory import exporter, importer
from hygiene.inventory import service as inventory
from hygiene.inventory.schemas import (
    AccountCreate,
    OfficialCreate,
    ValidationContext,
    problems_of,
)

T = TypeVar("T")
FormatOption = Annotated[OutputFormat, typer.Option("--format", "-f", help="table | json | csv")]
officials_app = typer.Typer(no_args_is_help=True, help="Cán bộ / Officials.")
accounts_app = typer.Typer(no_args_is_help=True, help="Tài khoản / Accounts.")
units_app = typer.Typer(no_args_is_help=True, help="Đơn vị / Units.")


def _context(ctx: typer.Context) -> ValidationContext:
    deps = state(ctx).deps
    today = deps.clock.now().astimezone(deps.settings.zone).date()
    return ValidationContext(
        today=today, kinds=deps.settings.kinds, default_locale=deps.settings.locale
    )


def _validated(ctx: typer.Context, build: Callable[[], T]) -> T:
    try:
        return build()
    except ValidationError as exc:
        first = problems_of(exc)[0]
        reason = i18n.t(first["code"], state(ctx).locale, **first["params"])
        raise InvalidInput("official.bad_field", field=first["field"], reason=reason) from None


def import_(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help=".csv | .xlsx")],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Chỉ báo cáo, không ghi / Report only, write nothing")
    ] = False,
) -> None:
    """Nhập danh sách từ CSV/XLSX, tất cả hoặc không. / Import CSV/XLSX, all or nothing."""
    deps = state(ctx).deps
    err = Console(stderr=True)
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

    with progress if err.is_terminal else nullcontext(), session(ctx) as s:
        result = importer.import_file(
            s,
            file,
            context=_context(ctx),
            key=deps.audit_key,
            now=deps.clock.now(),
            actor=actor(),
            dry_run=dry_run,
            on_row=on_row,
        )
        if dry_run:
            s.rollback()
    if result.ignored_columns:
        say(ctx, "import.ignored", err=True, columns=", ".join(result.ignored_columns))
    counts = {k: v for k, v in vars(result).items() if type(v) is int}
    typer.echo(i18n.t("import.dry_run" if dry_run else "import.done", state(ctx).locale, **counts))


def export(
    ctx: typer.Context,
    output: Annotated[Path | None, typer.Option("-o", "--output", help="Tệp đích / File")] = None,
    fmt: Annotated[str | None, typer.Option("--format", help="csv | xlsx")] = None,
    lang: Annotated[str, typer.Option(help="Tiêu đề cột: en | vi / Header language")] = "en",
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


def demo(ctx: typer.Context) -> None:
    """Nạp huyện mẫu (~50 cán bộ) và in tổng quan. / Load the demo district and print a summary."""
    deps = state(ctx).deps
    with session(ctx) as s:
        demo_district.load(s, context=_context(ctx), key=deps.audit_key, now=deps.clock.now())
        summary = inventory.summary(s, policies=deps.settings.policies, today=_context(ctx).today)
    say(ctx, "demo.loaded")
    locale = state(ctx).locale
    typer.echo(i18n.t("summary.title", locale))
    for name, value in summary.model_dump().items():
        typer.echo(f"  {i18n.t(f'summary.{name}', locale)}: {value}")


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
    emit(ctx, rows, fmt, OFFICIAL_COLUMNS)


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
    emit(ctx, [detail], fmt, [*OFFICIAL_COLUMNS, "preferred_channels", "has_anti_phishing_phrase"])
    if fmt is OutputFormat.table:
        emit(ctx, detail.account_list, fmt, ACCOUNT_COLUMNS)


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
    data = _validated(ctx, lambda: OfficialCreate.model_validate(raw, context=_context(ctx)))
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


ACCOUNT_COLUMNS = ["employee_id", "system", "kind", "login", "last_rotated", "mfa", "browser_saved"]


@accounts_app.command("list")
def accounts_list(
    ctx: typer.Context,
    official: Annotated[str | None, typer.Option(help="Mã cán bộ / Employee id")] = None,
    kind: Annotated[str | None, typer.Option(help="Loại / Kind")] = None,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """Liệt kê tài khoản. / List accounts."""
    with session(ctx) as s:
        rows = inventory.list_accounts(s, employee_id=official, kind=kind)
    emit(ctx, rows, fmt, ACCOUNT_COLUMNS)


@accounts_app.command("add")
def accounts_add(
    ctx: typer.Context,
    official: Annotated[str, typer.Option(help="Mã cán bộ / Employee id")],
    system: Annotated[str, typer.Option(help="Ví dụ «Email công vụ» / e.g. 'Zalo'")],
    kind: Annotated[str, typer.Option(help="email | zalo | social | government | other")],
    login: Annotated[str, typer.Option(help="Tên đăng nhập (không phải mật khẩu) / Login")] = "",
    last_rotated: Annotated[str | None, typer.Option(help="dd/mm/yyyy")] = None,
    mfa: Annotated[bool, typer.Option("--mfa/--no-mfa")] = False,
) -> None:
    """Thêm một tài khoản (không bao giờ nhập mật khẩu). / Add an account (never its password)."""
    deps = state(ctx).deps
    raw = {
        "employee_id": official,
        "system": system,
        "kind": kind,
        "login": login,
        "last_rotated": last_rotated,
        "mfa": mfa,
    }
    data = _validated(ctx, lambda: AccountCreate.model_validate(raw, context=_context(ctx)))
    with session(ctx) as s:
        inventory.add_account(s, data=data, key=deps.audit_key, now=deps.clock.now(), actor=actor())
    say(ctx, "account.added", system=data.system, employee_id=data.employee_id)


def register(app: typer.Typer) -> None:
    app.command("import")(import_)
    app.command("export")(export)
    app.command("demo")(demo)
    app.add_typer(officials_app, name="officials")
    app.add_typer(accounts_app, name="accounts")
    app.add_typer(units_app, name="units")
