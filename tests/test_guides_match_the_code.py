"""Issue 14: the guides match what exists. Every console, portal or API page a guide names is a
route of the app, and every `hygiene …` command a guide names is a command of the CLI, so a
guide cannot promise a page that does not exist (as the security officer's once did)."""

import re
from pathlib import Path

from typer.core import TyperGroup
from typer.main import get_command

from hygiene.bootstrap import Deps
from hygiene.cli import app as cli_app
from hygiene.runtime import Runtime
from hygiene.web.app import create_app
from tests.web import authz

GUIDES = sorted((Path(__file__).resolve().parent.parent / "docs").glob("*-guide.*.md"))
PAGE = re.compile(r"(?<![\w.])/(?:console|portal|api/v1)(?:/[\w.{}-]+)*")
COMMAND = re.compile(r"`hygiene ((?:[a-z][a-z-]*)(?: [a-z][a-z-]*)?)")


def _named(pattern: re.Pattern[str]) -> dict[str, str]:
    return {m: g.name for g in GUIDES for m in pattern.findall(g.read_text("utf-8"))}


def _as_pattern(path: str) -> re.Pattern[str]:
    return re.compile("^" + re.sub(r"\\\{[^}]+\\\}", r"[^/]+", re.escape(path)) + "$")


def test_the_guides_name_pages_and_commands() -> None:
    assert len(GUIDES) >= 6
    assert "/console/incidents" in _named(PAGE)
    assert "incidents list" in _named(COMMAND)


def test_every_page_a_guide_names_exists(deps: Deps) -> None:
    app = create_app(deps, runtime=Runtime(started_at=deps.clock.now()))
    routes = [_as_pattern(route.path or "") for route, _ in authz.checked_routes(app)]
    missing = {
        f"{path} ({guide})"
        for path, guide in _named(PAGE).items()
        if not any(route.match(path) for route in routes)
    }

    assert not any(route.match("/console/no-such-page") for route in routes)
    assert not missing


def test_every_command_a_guide_names_exists() -> None:
    root = get_command(cli_app)
    assert isinstance(root, TyperGroup)
    missing = []
    for words, guide in _named(COMMAND).items():
        group, _, sub = words.partition(" ")
        command = root.commands.get(group)
        if command is None or (
            isinstance(command, TyperGroup) and sub and sub not in command.commands
        ):
            missing.append(f"hygiene {words} ({guide})")

    assert not missing
