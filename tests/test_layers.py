"""The dependency direction, read from the source (AST, no import needed):

- channels are built in one place: only hygiene.bootstrap imports a module that holds a channel
  implementation (smtp, sms, zalo, file, memory, token store); the rest of the code sees the
  protocol and errors (channels.base) and the token table (channels.models);
- the entry points are on top: nothing below hygiene.web and hygiene.cli imports them (only
  hygiene.server, which runs the web app, and hygiene.__main__);
- no hidden hooks on the app: no module reads an optional attribute off `app.state`.
"""

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

import hygiene

ROOT = Path(hygiene.__file__).parent
PUBLIC_CHANNEL_MODULES = {"hygiene.channels.base", "hygiene.channels.models"}
BUILDERS = {"hygiene.bootstrap"}
ENTRY_POINTS = ("hygiene.web", "hygiene.cli")
ABOVE_ENTRY_POINTS = {"hygiene.server", "hygiene.__main__"}


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, ast.Module]:
    return {
        _module_name(path): ast.parse(path.read_text("utf-8"), filename=str(path))
        for path in sorted(ROOT.rglob("*.py"))
        if "migrations" not in path.parts
    }


def _imports(tree: ast.Module) -> Iterator[str]:
    """Every module a tree imports, `from a import b` counted as both a and a.b."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            yield node.module
            yield from (f"{node.module}.{alias.name}" for alias in node.names)


def _within(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


MODULES = _modules()


def _channel_implementations() -> set[str]:
    return {
        name
        for name in MODULES
        if _within(name, "hygiene.channels")
        and name != "hygiene.channels"
        and name not in PUBLIC_CHANNEL_MODULES
    }


def test_the_walk_sees_the_channel_implementations() -> None:
    assert {"hygiene.channels.smtp", "hygiene.channels.memory"} <= _channel_implementations()
    assert "hygiene.bootstrap" in MODULES


def test_no_channel_is_built_outside_bootstrap() -> None:
    implementations = _channel_implementations()
    offenders = sorted(
        f"{name} imports {target}"
        for name, tree in MODULES.items()
        if name not in BUILDERS and not _within(name, "hygiene.channels")
        for target in set(_imports(tree)) & implementations
    )
    assert offenders == []


@pytest.mark.parametrize("entry_point", ENTRY_POINTS)
def test_nothing_below_an_entry_point_imports_it(entry_point: str) -> None:
    offenders = sorted(
        f"{name} imports {target}"
        for name, tree in MODULES.items()
        if not _within(name, entry_point) and name not in ABOVE_ENTRY_POINTS
        and not (entry_point == "hygiene.web" and _within(name, "hygiene.cli"))
        for target in set(_imports(tree))
        if _within(target, entry_point)
    )  # fmt: skip
    assert offenders == []


def test_the_web_does_not_import_the_cli() -> None:
    offenders = sorted(
        name
        for name, tree in MODULES.items()
        if _within(name, "hygiene.web")
        and any(_within(target, "hygiene.cli") for target in _imports(tree))
    )
    assert offenders == []


def test_no_module_reads_an_optional_hook_off_the_app_state() -> None:
    hooks = sorted(
        f"{name}:{node.lineno}"
        for name, tree in MODULES.items()
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id in {"getattr", "hasattr"}
        and node.args
        and isinstance(node.args[0], ast.Attribute)
        and node.args[0].attr == "state"
    )
    assert hooks == []
