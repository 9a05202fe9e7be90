"""Every help text of every command, argument and option exists in Vietnamese and in English
(written "Vietnamese / English", see hygiene.cli.help), so `--help` never shows one language's
text to a reader of the other. A text that is only codes (`table | json | csv`, `dd/mm/yyyy`)
reads the same in both."""

import re
from collections.abc import Iterator

from typer._click.core import Command
from typer.core import TyperGroup
from typer.main import get_command

from hygiene.cli import app
from hygiene.cli.help import _GENERIC, SEPARATOR, pick

# Only codes and punctuation between them: ".csv | .xlsx", "email,sms,zalo", "dd/mm/yyyy".
CODES_ONLY = re.compile(r"^[a-z0-9_.,/-]+( \| [a-z0-9_.,/-]+)*$")


def _texts(command: Command, path: str) -> Iterator[tuple[str, str]]:
    for what, text in (("help", command.help), ("short_help", command.short_help)):
        if text:
            yield f"{path} ({what})", text
    for param in command.params:
        text = getattr(param, "help", None)
        if text:
            yield f"{path} {param.name}", text
    if isinstance(command, TyperGroup):
        for name, sub in command.commands.items():
            yield from _texts(sub, f"{path} {name}")


def _one_language(text: str) -> list[str]:
    if text.strip() in _GENERIC:
        return []
    return [
        paragraph
        for paragraph in text.split("\n\n")
        if SEPARATOR not in paragraph and not CODES_ONLY.match(paragraph.strip())
    ]


def test_the_walk_reaches_the_options_of_nested_commands() -> None:
    names = dict(_texts(get_command(app), "hygiene"))

    assert "hygiene exposures import source" in names
    assert "hygiene users add role" in names
    assert len(names) > 150


def test_every_help_text_is_written_in_both_languages() -> None:
    untranslated = [
        f"{where}: {paragraph!r}"
        for where, text in _texts(get_command(app), "hygiene")
        for paragraph in _one_language(text)
    ]

    assert not untranslated, "help texts without ' / English':\n" + "\n".join(untranslated)


def test_each_side_of_a_help_text_is_not_empty() -> None:
    empty = [
        where
        for where, text in _texts(get_command(app), "hygiene")
        for locale in ("vi", "en")
        if not (pick(text, locale) or "").strip()
    ]

    assert not empty


def test_the_scan_would_catch_a_vietnamese_only_text() -> None:
    assert _one_language("Nơi gửi, ví dụ «Công an tỉnh Lai Châu»")
    assert _one_language("SQLite: sqlite3 online backup.")
    assert not _one_language("table | json | csv")
    assert not _one_language("Nơi gửi / Who sent it")
