"""`hygiene accounts list|add` (an account is never given its password)."""

from typing import Annotated

import typer

from hygiene.cli.common import actor, say, session, state, validated, validation_context
from hygiene.cli.output import FormatOption, OutputFormat, emit
from hygiene.inventory import service as inventory
from hygiene.inventory.schemas import AccountCreate

accounts_app = typer.Typer(no_args_is_help=True, help="Tài khoản / Accounts.")


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
    emit(ctx, rows, fmt, ACCOUNT_COLUMNS, optional=("browser_saved", "login"))


@accounts_app.command("add")
def accounts_add(
    ctx: typer.Context,
    official: Annotated[str, typer.Option(help="Mã cán bộ / Employee id")],
    system: Annotated[str, typer.Option(help="Ví dụ «Email công vụ» / e.g. 'Zalo'")],
    kind: Annotated[str, typer.Option(help="email | messaging | social | government | other")],
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
    data = validated(
        ctx, lambda: AccountCreate.model_validate(raw, context=validation_context(ctx))
    )
    with session(ctx) as s:
        inventory.add_account(s, data=data, key=deps.audit_key, now=deps.clock.now(), actor=actor())
    say(ctx, "account.added", system=data.system, employee_id=data.employee_id)


def register(app: typer.Typer) -> None:
    app.add_typer(accounts_app, name="accounts")
