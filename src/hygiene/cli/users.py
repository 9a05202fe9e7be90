"""`hygiene users …`: console users (admins, security officers) and their API tokens."""

from datetime import datetime
from typing import Annotated, Protocol, TypeVar
from zoneinfo import ZoneInfo

import pyotp
import typer
from pydantic import BaseModel
from sqlmodel import Session

from hygiene import i18n
from hygiene.audit import service as audit
from hygiene.cli.common import actor, say, session, state
from hygiene.cli.output import OutputFormat, emit
from hygiene.clock import as_utc
from hygiene.db import row_id
from hygiene.users import revocation
from hygiene.users import service as users
from hygiene.users.models import ApiToken

T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)

users_app = typer.Typer(no_args_is_help=True, help="Người dùng trang quản trị / Console users.")


class UserRow(BaseModel):
    email: str
    display_name: str | None
    roles: str
    active: bool
    password_set: bool
    totp: bool


@users_app.command("add")
def add(
    ctx: typer.Context,
    email: str,
    role: Annotated[str, typer.Option("--role", help="admin | security | admin,security")],
    name: Annotated[
        str | None,
        typer.Option("--name", help="Họ và tên, in trên báo cáo / Full name, shown on reports"),
    ] = None,
) -> None:
    """Tạo người dùng, in mã thiết lập một lần. / Create a user; prints a one-time setup code."""
    deps = state(ctx).deps
    with session(ctx) as s:
        user, code = users.add_user(
            s, email=email, roles=role, secret=deps.secret, now=deps.clock.now(), actor=actor(),
            display_name=name,
        )  # fmt: skip
    typer.echo(
        i18n.t("users.added", state(ctx).locale, email=user.email, roles=user.roles, code=code)
    )


@users_app.command("set-name")
def set_name(
    ctx: typer.Context,
    email: str,
    name: Annotated[str, typer.Argument(help="Họ và tên; để trống để xóa / Full name; '' clears")],
) -> None:
    """Đặt họ tên hiển thị (báo cáo, thông báo). / Set the name shown on reports and notices."""
    deps = state(ctx).deps
    with session(ctx) as s:
        user = users.set_display_name(
            s, email=email, name=name, secret=deps.secret, now=deps.clock.now(), actor=actor()
        )
        shown, address = user.display_name, user.email
    if shown:
        say(ctx, "users.named", email=address, name=shown)
    else:
        say(ctx, "users.unnamed", email=address)


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
            s, email=email, name=name, secret=deps.secret, now=deps.clock.now(), actor=actor(),
            days=deps.settings.security.api_token_days,
        )  # fmt: skip
    typer.echo(i18n.t("users.token", state(ctx).locale, email=email), err=True)
    days = deps.settings.security.api_token_days
    typer.echo(i18n.t("revocation.token_days", state(ctx).locale, days=days), err=True)
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
                display_name=u.display_name,
                roles=u.roles,
                active=u.active,
                password_set=u.password_hash is not None,
                totp=u.totp_secret is not None,
            )
            for u in users.list_users(s)
        ]
    columns = ["email", "display_name", "roles", "active", "password_set", "totp"]
    emit(ctx, rows, fmt, columns, optional=("password_set", "totp"))


class _UserChange(Protocol[T_co]):
    """A revocation.* use case on one user by email: deactivate, reactivate, reset."""

    def __call__(
        self, session: Session, *, email: str, secret: bytes, now: datetime, actor: str
    ) -> T_co: ...


def _change_user(ctx: typer.Context, change: _UserChange[T], email: str) -> T:
    """Run `change` for `email` in one committed session, as this CLI user."""
    deps = state(ctx).deps
    with session(ctx) as s:
        return change(s, email=email, secret=deps.secret, now=deps.clock.now(), actor=actor())


@users_app.command("deactivate")
def deactivate(ctx: typer.Context, email: str) -> None:
    """Khóa người dùng: mọi phiên và mã API ngừng ngay. / Deactivate: sessions and tokens stop."""
    _change_user(ctx, revocation.deactivate, email)
    say(ctx, "revocation.deactivated", email=email)


@users_app.command("reactivate")
def reactivate(ctx: typer.Context, email: str) -> None:
    """Mở lại người dùng đã khóa. / Reactivate a deactivated user."""
    _change_user(ctx, revocation.reactivate, email)
    say(ctx, "revocation.reactivated", email=email)


@users_app.command("reset")
def reset(ctx: typer.Context, email: str) -> None:
    """Mã thiết lập mới; mật khẩu, TOTP và mọi phiên cũ hết hiệu lực. / A new setup code; the
    password, TOTP and every session end."""
    user, code = _change_user(ctx, revocation.reset, email)
    say(ctx, "revocation.reset", email=user.email, code=code)


class TokenRow(BaseModel):
    id: int
    name: str
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked_at: datetime | None
    state: str


@users_app.command("tokens")
def tokens(
    ctx: typer.Context,
    email: str,
    fmt: Annotated[OutputFormat, typer.Option("--format", "-f")] = OutputFormat.table,
) -> None:
    """Liệt kê mã API của một người dùng. / List a user's API tokens."""
    deps = state(ctx).deps
    zone, now, locale = deps.settings.zone, deps.clock.now(), state(ctx).locale
    with session(ctx) as s:
        rows = [_token_row(t, zone, now, locale) for t in revocation.tokens(s, email=email)]
    emit(ctx, rows, fmt, ["id", "name", "state", "created_at", "expires_at", "last_used_at"])


@users_app.command("revoke-token")
def revoke_token(ctx: typer.Context, token_id: int) -> None:
    """Thu hồi một mã API (số ID trong `users tokens`). / Revoke an API token by its ID."""
    deps = state(ctx).deps
    with session(ctx) as s:
        revocation.revoke_token(s, token_id=token_id, secret=deps.secret, now=deps.clock.now(),
                                actor=actor())  # fmt: skip
    say(ctx, "revocation.token_revoked", id=token_id)


def _token_row(token: ApiToken, zone: ZoneInfo, now: datetime, locale: str) -> TokenRow:
    return TokenRow(
        id=row_id(token.id),
        name=token.name,
        created_at=as_utc(token.created_at).astimezone(zone),
        expires_at=local(token.expires_at, zone),
        last_used_at=local(token.last_used_at, zone),
        revoked_at=local(token.revoked_at, zone),
        state=i18n.t(f"revocation.state.{token_state(token, now)}", locale),
    )


def token_state(token: ApiToken, now: datetime) -> str:
    if token.revoked_at is not None:
        return "revoked"
    if token.expires_at is not None and as_utc(token.expires_at) <= now:
        return "expired"
    return "live"


def local(value: datetime | None, zone: ZoneInfo) -> datetime | None:
    """Times people read are in HYGIENE_TIMEZONE."""
    return as_utc(value).astimezone(zone) if value is not None else None


def register(app: typer.Typer) -> None:
    app.add_typer(users_app, name="users")
