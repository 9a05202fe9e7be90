"""The `hygiene` command line. Errors are one translated line on stderr, never a traceback."""

from typing import Any

import typer
from typer.core import TyperGroup

from hygiene import i18n
from hygiene.cli import acks, audit, channels, database, devices, inventory, reports, users
from hygiene.cli import engine as engine_commands
from hygiene.cli import ops as ops_commands
from hygiene.cli.common import state
from hygiene.errors import ConfigError, HygieneError, ImportRejected

MAX_PROBLEMS_SHOWN = 200


class _Group(TyperGroup):
    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except HygieneError as exc:
            locale = state(ctx).locale
            typer.echo(i18n.t("cli.error", locale, message=exc.render(locale)), err=True)
            if isinstance(exc, ImportRejected):
                for problem in exc.problems[:MAX_PROBLEMS_SHOWN]:
                    typer.echo(problem.render(locale), err=True)
                hidden = len(exc.problems) - MAX_PROBLEMS_SHOWN
                if hidden > 0:
                    typer.echo(i18n.t("import.more", locale, count=hidden), err=True)
            raise typer.Exit(2 if isinstance(exc, ConfigError) else 1) from None


app = typer.Typer(
    cls=_Group,
    no_args_is_help=True,
    help="hygiene — nhắc đổi mật khẩu và giữ an toàn tài khoản cho cán bộ, không lưu mật khẩu. "
    "/ Password-rotation and account-hygiene reminders, without storing passwords.",
    pretty_exceptions_enable=False,
)
database.register(app)
inventory.register(app)
audit.register(app)
channels.register(app)
users.register(app)
engine_commands.register(app)
acks.register(app)
reports.register(app)
ops_commands.register(app)
devices.register(app)


def main() -> None:
    app()
