"""What every command shares: settings and deps built once per run, the reader's locale, the
session, and the localized errors for unreadable files and invalid input. Output is cli.output."""

import errno
import getpass
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import typer
from pydantic import ValidationError
from sqlalchemy.exc import OperationalError, ProgrammingError
from sqlmodel import Session

from hygiene import db, i18n
from hygiene.bootstrap import Deps, build_deps
from hygiene.cli.help import reader_locale
from hygiene.errors import HygieneError, InvalidInput
from hygiene.inventory.kinds import KindNames
from hygiene.inventory.schemas import ValidationContext, problems_of
from hygiene.settings import Settings, load_settings

T = TypeVar("T")


class State:
    """Lazily built per invocation, kept on click's context object."""

    def __init__(self) -> None:
        self._settings: Settings | None = None
        self._deps: Deps | None = None

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            self._settings = load_settings()
        return self._settings

    @property
    def deps(self) -> Deps:
        if self._deps is None:
            self._deps = build_deps(self.settings)
        return self._deps

    @property
    def locale(self) -> str:
        """The reader's language: configured, else the shell's, else Vietnamese (cli.help)."""
        return reader_locale(self._settings)

    def close(self) -> None:
        if self._deps is not None:
            self._deps.engine.dispose()


def state(ctx: typer.Context) -> State:
    root = ctx.find_root()
    if not isinstance(root.obj, State):
        root.obj = State()
        root.call_on_close(root.obj.close)
    return root.obj


def say(ctx: typer.Context, key: str, /, *, err: bool = False, **params: Any) -> None:
    typer.echo(i18n.t(key, state(ctx).locale, **params), err=err)


def actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"


@contextmanager
def session(ctx: typer.Context) -> Iterator[Session]:
    """A committed-on-success session; a missing schema becomes one clear error."""
    try:
        with db.session_scope(state(ctx).deps.engine) as s:
            yield s
    except (OperationalError, ProgrammingError) as exc:
        text = str(exc.orig) if exc.orig else str(exc)
        if "no such table" in text or ("does not exist" in text and "relation" in text):
            raise HygieneError("error.schema_outdated") from None
        raise HygieneError("error.database", reason=text.splitlines()[0]) from None


def unreadable(exc: OSError) -> InvalidInput:
    """A file that cannot be read, said in the reader's language (never an OS English line)."""
    reason = {
        errno.ENOENT: "missing",
        errno.EISDIR: "directory",
        errno.ENOTDIR: "missing",
        errno.EACCES: "denied",
        errno.EPERM: "denied",
    }.get(exc.errno or 0, "other")
    return InvalidInput(f"file.{reason}", path=str(exc.filename), detail=exc.strerror or "")


def input_file(path: Path) -> Path:
    """`path` if it is a file this process can read; otherwise a localized error (exit 1)."""
    try:
        with path.open("rb"):
            pass
    except OSError as exc:
        raise unreadable(exc) from None
    return path


def validation_context(ctx: typer.Context) -> ValidationContext:
    deps = state(ctx).deps
    today = deps.clock.now().astimezone(deps.settings.zone).date()
    return ValidationContext(
        today=today,
        kinds=KindNames.from_policies(deps.settings.policies),
        default_locale=deps.settings.locale,
    )


def validated(ctx: typer.Context, build: Callable[[], T]) -> T:
    """build(), with a pydantic error turned into one translated InvalidInput."""
    try:
        return build()
    except ValidationError as exc:
        first = problems_of(exc)[0]
        reason = i18n.t(first["code"], state(ctx).locale, **first["params"])
        raise InvalidInput("official.bad_field", field=first["field"], reason=reason) from None
