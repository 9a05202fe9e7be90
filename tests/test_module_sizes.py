"""Small things, measured: no module over 300 lines, no function over 40, in all of src/hygiene.

Scope: every `.py` file under `src/hygiene` (packages, top-level modules, `__init__.py` files),
found by walking the tree, so a new module is checked the day it lands. Only `migrations/` is left
out: a migration is a record of the schema's history, written once and never edited.

A function's length is from its `def` line (decorators not counted) to its last line, docstring
and comments included; a nested function counts inside its outer one and on its own.
"""

import ast
from pathlib import Path

import pytest

import hygiene

MAX_MODULE_LINES = 300
MAX_FUNCTION_LINES = 40
ROOT = Path(hygiene.__file__).parent
CHECKED = sorted(p for p in ROOT.rglob("*.py") if "migrations" not in p.relative_to(ROOT).parts)


def _name(path: Path) -> str:
    return str(path.relative_to(ROOT.parent))


def _long_functions(source: str, name: str) -> list[str]:
    """Each function in `source` over MAX_FUNCTION_LINES, as "name:line function (N lines)"."""
    return [
        f"{name}:{node.lineno} {node.name} ({length} lines)"
        for node in ast.walk(ast.parse(source, filename=name))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and (length := (node.end_lineno or node.lineno) - node.lineno + 1) > MAX_FUNCTION_LINES
    ]


def test_it_checks_every_module_but_the_migrations() -> None:
    names = {_name(path) for path in CHECKED}
    assert {
        "hygiene/jobs/delivery.py",
        "hygiene/cli/common.py",
        "hygiene/web/console/auth.py",
    } <= names
    assert {"hygiene/tabular.py", "hygiene/__init__.py", "hygiene/settings/__init__.py"} <= names
    stages = {
        f"hygiene/inventory/{stage}.py" for stage in ("importer", "validate", "diff", "write")
    }
    assert stages <= names  # the importer stays split by stage
    assert list((ROOT / "migrations").rglob("*.py"))  # there is something to leave out
    assert not [name for name in names if name.startswith("hygiene/migrations/")]


def test_it_counts_a_function_from_def_to_its_last_line() -> None:
    def source(lines: int) -> str:
        body = "\n".join(f"    x{n} = {n}" for n in range(lines - 2))
        return f'async def f() -> None:\n    """Doc."""\n{body}\n'

    assert _long_functions(source(MAX_FUNCTION_LINES), "m.py") == []
    assert _long_functions(source(MAX_FUNCTION_LINES + 1), "m.py") == ["m.py:1 f (41 lines)"]


@pytest.mark.parametrize("path", CHECKED, ids=_name)
def test_it_keeps_the_module_under_300_lines(path: Path) -> None:
    lines = len(path.read_text("utf-8").splitlines())
    assert lines <= MAX_MODULE_LINES, f"{_name(path)} has {lines} lines"


@pytest.mark.parametrize("path", CHECKED, ids=_name)
def test_it_keeps_every_function_under_40_lines(path: Path) -> None:
    assert _long_functions(path.read_text("utf-8"), _name(path)) == []
