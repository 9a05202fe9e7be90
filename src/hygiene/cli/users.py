"""`hygiene users …`: console users (admins, security officers) and their API tokens."""

from typing import Annotated

import pyotp
import typer
from pydantic import BaseModel

from hygiene import i18n
from hygiene.audit import service as audit
from hygiene.cli.common import OutputFormat, actor, emit, session, state
from hygiene.users import service as users

users_app = typer.Typer(no_args_is_help=True, help="Người dùng trang quản trị / Console users.")


class UserRow(BaseModel):
    email: str
    roles: str
    active: bool
    password_set: bool
    totp: bool


@users_app.command("add")
def add(
    ctx: typer.Context,
    email: str,
    role: Annotated[str, typer.Option("--role", help="admin | security | admin,security")],
) -> None:
    """Tạo người dùng, in mã thiết lập một lần. / Create a user; prints a one-time setup code."""
    deps = state(ctx).deps
    with session(ctx) as s:
        user, code = users.add_user(
            s, email=email, roles=role, secret=deps.secret, now=deps.clock.now(), actor=actor()
        )
    typer.echo(
        i18n.t("users.added", state(ctx).locale, email=user.email, roles=user.roles, code=code)
    )


@users_app.command("token")
def token(
    ctx: typer.Context,
    email: str,
    name: Annotated[str, typer.Option(help="Tên gợi nhớ / A label for the token")] = "script",
) -> None:
    """Cấp mã truy cập API cho script. / Issue an API token for scripts."""
    deps = state(ctx).deps
    with session(ctx) as s:
        value = users.issue_token(
            s, email=email, name=name, secret=deps.secret, now=deps.clock.now(), actor=actor()
        )
    typer.echo(i18n.t("users.token", state(ctx).locale, email=email), err=True)
    typer.echo(value)


@users_app.command("totp")
def totp(ctx: typer.Context, email: str) -> None:
    """Bật mã xác thực 6 số (TOTP), in URI otpauth. / Enable TOTP; prints the otpauth URI."""
    deps = state(ctx).deps
    with session(ctx) as s:
        user = users.by_email(s, email)
        secret = users.enable_totp(s, user=user, secret=deps.secret)
        audit.append(
            s,
            key=deps.audit_key,
            now=deps.clock.now(),
            actor=actor(),
            action="console_user.totp_enabled",
            subject=f"user:{user.email}",
        )
    uri = pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name="hygiene")
    typer.echo(i18n.t("console.users.totp_enabled", state(ctx).locale, email=user.email), err=True)
    typer.echo(uri)
    typer.echo(secret)


@users_app.command("list")
def list_(
    ctx: typer.Context,
    fmt: Annotated[OutputFormat, typer.Option("--format", "-f")] = OutputFormat.table,
) -> None:
    """Liệt kê người dùng. / List console users."""
    with session(ctx) as s:
        rows = [
            UserRow(
                email=u.email,
                roles=u.roles,
                active=u.active,
                password_set=u.password_hash is not None,
                totp=u.totp_secret is not None,
            )
            for u in users.list_users(s)
        ]
    emit(ctx, rows, fmt, ["email", "roles", "active", "password_set", "totp"])


def register(app: typer.Typer) -> None:
    app.add_typer(users_app, name="users")
