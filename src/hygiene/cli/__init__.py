"""The `hygiene` command line. Errors are one translated line on stderr, never a traceback."""

import errno
from typing import Any

import typer
from typer.core import TyperGroup

from hygiene import i18n
from hygiene.cli import (
    accounts,
    ack,
    advisories,
    audit,
    backup,
    breach,
    check_password,
    db,
    demo,
    devices,
    exposures,
    help,
    import_export,
    incidents,
    officials,
    outbox,
    report,
    run,
    send_test,
    serve,
    sources,
    units,
    users,
)
from hygiene.cli.common import state, unreadable
from hygiene.errors import ConfigError, HygieneError, ImportRejected
from hygiene.settings import Settings, load_settings

MAX_PROBLEMS_SHOWN = 200
# A file named on the command line that is missing or unreadable: one line, exit 1.
_FILE_ERRNOS = frozenset({errno.ENOENT, errno.EISDIR, errno.ENOTDIR, errno.EACCES, errno.EPERM})


class _Group(TyperGroup):
    def main(self, *args: Any, **kwargs: Any) -> Any:
        help.localize(self, help.reader_locale(_settings_or_none()))
        return super().main(*args, **kwargs)

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except OSError as exc:
            if exc.filename is None or exc.errno not in _FILE_ERRNOS:
                raise
            locale = state(ctx).locale
            message = unreadable(exc).render(locale)
            typer.echo(i18n.t("cli.error", locale, message=message), err=True)
            raise typer.Exit(1) from None
        except HygieneError as exc:
            locale = state(ctx).locale
            typer.echo(i18n.t("cli.error", locale, message=exc.render(locale)), err=True)
            if isinstance(exc, ImportRejected):
                shown = exc.problems[:MAX_PROBLEMS_SHOWN]
                for problem in shown:
                    typer.echo(problem.render(locale), err=True)
                hidden = exc.total - len(shown)
                if hidden > 0:
                    typer.echo(i18n.t("import.more", locale, count=hidden), err=True)
            raise typer.Exit(2 if isinstance(exc, ConfigError) else 1) from None


def _settings_or_none() -> Settings | None:
    """The settings for --help's language; a bad configuration is reported later, by the command."""
    try:
        return load_settings()
    except HygieneError:
        return None


app = typer.Typer(
    cls=_Group,
    no_args_is_help=True,
    help="hygiene — nhắc đổi mật khẩu và giữ an toàn tài khoản cho cán bộ, không lưu mật khẩu. "
    "/ Password-rotation and account-hygiene reminders, without storing passwords.",
    pretty_exceptions_enable=False,
)
# One module per command group, registered in the order `hygiene --help` lists them.
for _group in (
    db,
    import_export,
    demo,
    officials,
    accounts,
    units,
    audit,
    send_test,
    users,
    run,
    serve,
    outbox,
    advisories,
    ack,
    check_password,
    incidents,
    report,
    backup,
    devices,
    sources,
    breach,
    exposures,
):
    _group.register(app)


def main() -> None:
    app()
