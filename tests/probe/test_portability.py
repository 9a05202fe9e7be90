"""The probe must run on plain Python 3.9+ with only the standard library (and be freezable)."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import hygiene.probe

PROBE_DIR = Path(hygiene.probe.__file__).parent
SOURCES = sorted(PROBE_DIR.glob("*.py"))


def test_there_are_probe_sources() -> None:
    assert {p.name for p in SOURCES} >= {"__init__.py", "cli.py", "counting.py", "report.py"}


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.name)
def test_each_module_parses_as_python_3_9(source: Path) -> None:
    ast.parse(source.read_text(encoding="utf-8"), filename=str(source), feature_version=(3, 9))


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.name)
def test_each_module_imports_only_the_standard_library_and_itself(source: Path) -> None:
    tree = ast.parse(source.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        for name in names:
            top = name.split(".")[0]
            assert (
                top in sys.stdlib_module_names
                or name.startswith("hygiene.probe")
                or (name == "__future__")
            ), f"{source.name} imports {name}"


def test_importing_the_probe_loads_nothing_outside_the_standard_library() -> None:
    code = (
        "import sys\n"
        "before = set(sys.modules)\n"
        "import hygiene.probe.cli\n"
        "new = sorted(set(sys.modules) - before)\n"
        "bad = [m for m in new if m.split('.')[0] not in sys.stdlib_module_names"
        " and m != 'hygiene' and not m.startswith('hygiene.probe')]\n"
        "print(bad)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )

    assert result.stdout.strip() == "[]"
