"""`--help` in the reader's language.

Help texts in the code are written "Vietnamese / English" (a docstring, a Typer `help=`); before
a run, `localize` keeps one side of every such text, paragraph by paragraph, and translates
Click's and Typer's own words ("Usage:", "Options", "[default: …]", "Show this message and
exit."). A text without " / " is the same in both languages (`table | json | csv`).

The reader's language is the configured one (HYGIENE_LOCALE or the config file's `locale`),
else the shell's (LC_ALL, LC_MESSAGES, LANG starting with vi or en), else Vietnamese.
"""

import os
import re
from typing import Any

from typer import rich_utils
from typer._click.core import Command, Context
from typer._click.exceptions import ClickException
from typer._click.formatting import HelpFormatter
from typer.core import TyperGroup

from hygiene import i18n
from hygiene.settings import Settings

SEPARATOR = " / "
# Typer's module-level words, by the catalogue key that translates them.
_RICH_WORDS = {
    "ARGUMENTS_PANEL_TITLE": "cli_help.arguments",
    "OPTIONS_PANEL_TITLE": "cli_help.options",
    "COMMANDS_PANEL_TITLE": "cli_help.commands",
    "ERRORS_PANEL_TITLE": "cli_help.error",
    "DEFAULT_STRING": "cli_help.default",
    "REQUIRED_LONG_STRING": "cli_help.required",
    "ENVVAR_STRING": "cli_help.envvar",
    "ABORTED_TEXT": "cli_help.aborted",
    "RICH_HELP": "cli_help.try_help",
    "DEPRECATED_STRING": "cli_help.deprecated",
}
# Option help that Click and Typer write themselves.
_GENERIC = {
    "Show this message and exit.": "cli_help.help_option",
    "Install completion for the current shell.": "cli_help.install_completion",
    "Show completion for the current shell, to copy it or customize the installation.": (
        "cli_help.show_completion"
    ),
}
# Click's usage errors (its words are literal English), by the catalogue key that translates them.
_ERRORS = (
    (re.compile(r"Missing option '(?P<name>[^']+)'\.", re.S), "cli_help.missing_option"),
    (re.compile(r"Missing argument '(?P<name>[^']+)'\.", re.S), "cli_help.missing_argument"),
    (re.compile(r"No such option: (?P<name>\S+)", re.S), "cli_help.no_such_option"),
    (re.compile(r"No such command '(?P<name>[^']+)'\.", re.S), "cli_help.no_such_command"),
    (re.compile(r"Got unexpected extra arguments? \((?P<name>.*)\)", re.S), "cli_help.extra"),
    (re.compile(r"Invalid value for (?P<name>[^:]+): (?P<reason>.*)", re.S), "cli_help.invalid"),
)
_locale = i18n.DEFAULT_LOCALE
_typer_format_error = rich_utils.rich_format_error


def reader_locale(settings: Settings | None = None) -> str:
    """The configured locale if one is set, else the shell's (vi or en), else Vietnamese."""
    if settings is not None and "locale" in settings.model_fields_set:
        return settings.locale
    configured = os.environ.get("HYGIENE_LOCALE")
    if configured:
        return i18n.normalise_locale(configured)
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(name, "")
        if value:
            shell = value.strip().lower()[:2]
            return shell if shell in i18n.LOCALES else i18n.DEFAULT_LOCALE
    return i18n.DEFAULT_LOCALE


def pick(text: str | None, locale: str) -> str | None:
    """One language of a "Vietnamese / English" text, paragraph by paragraph."""
    if text is None:
        return None
    if text.strip() in _GENERIC:
        return i18n.t(_GENERIC[text.strip()], locale)
    paragraphs = []
    for paragraph in text.split("\n\n"):
        if SEPARATOR in paragraph:
            vi, en = paragraph.split(SEPARATOR, 1)
            paragraph = en if locale == "en" else vi
        paragraphs.append(paragraph.strip())
    return "\n\n".join(paragraphs)


class _Formatter(HelpFormatter):
    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        usage = i18n.t("cli_help.usage", _locale) + " "
        super().write_usage(prog, args, usage if prefix is None else prefix)


class _Context(Context):
    formatter_class = _Formatter


def localize(command: Command, locale: str) -> None:
    """Keep `locale`'s side of every help text under `command`, and Typer's words in it."""
    global _locale  # one reader per process: the help is printed once
    _locale = locale
    for name, key in _RICH_WORDS.items():
        setattr(rich_utils, name, i18n.t(key, locale))
    rich_utils.rich_format_error = _format_error
    _walk(command, locale)


def _walk(command: Command, locale: str) -> None:
    original: dict[str, Any] = command.__dict__.setdefault(
        "_bilingual", {"help": command.help, "short_help": command.short_help}
    )
    command.help = pick(original["help"], locale)
    command.short_help = pick(original["short_help"], locale)
    command.context_class = _Context
    command.options_metavar = i18n.t("cli_help.options_metavar", locale)
    if command.add_help_option and command._help_option is None:
        from typer._click.decorators import help_option

        help_option(["--help"])(command)
        command._help_option = command.params.pop()  # type: ignore[assignment]
    params = [*command.params, *([command._help_option] if command._help_option else [])]
    for param in params:
        text = param.__dict__.setdefault("_bilingual", getattr(param, "help", None))
        if text is not None:
            param.help = pick(text, locale)  # type: ignore[attr-defined]
    if isinstance(command, TyperGroup):
        command.subcommand_metavar = i18n.t("cli_help.subcommand_metavar", locale)
        for sub in command.commands.values():
            _walk(sub, locale)


def translate_error(text: str, locale: str) -> str:
    """A Click usage error in `locale` ("Missing option '--role'." → "Thiếu tùy chọn …")."""
    if locale == "en":
        return text
    for pattern, key in _ERRORS:
        found = pattern.match(text)
        if found:
            return i18n.t(key, locale, **{"reason": "", **found.groupdict()})
    return text


def _format_error(self: ClickException) -> None:  # replaces rich_utils.rich_format_error
    text = translate_error(self.format_message(), _locale)
    self.format_message = lambda: text  # type: ignore[method-assign]
    _typer_format_error(self)
