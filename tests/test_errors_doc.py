"""The error tree in hygiene.errors' docstring names every exception class the code defines."""

import ast
import re
from pathlib import Path

import hygiene
from hygiene import errors

ROOT = Path(hygiene.__file__).parent
BUILTIN_BASES = {"Exception", "ValueError"}
# A tree line: glyphs, then a class name starting within the first 24 columns (descriptions wrap
# further right).
TREE_ENTRY = re.compile(r"^ {4}[│├└─ ]{0,20}?(_?[A-Z][A-Za-z]+)(?:\(\w+\))?(?: {2,}|$)")


def _exception_classes() -> dict[str, str]:
    """Every class under src/hygiene deriving, directly or not, from an exception: name -> path."""
    bases: dict[str, tuple[list[str], str]] = {}
    for path in ROOT.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.ClassDef):
                names = [ast.unparse(b).rsplit(".", 1)[-1] for b in node.bases]
                bases[node.name] = (names, str(path.relative_to(ROOT)))
    found: dict[str, str] = {}
    grew = True
    while grew:
        grew = False
        for name, (parents, where) in bases.items():
            if name not in found and any(p in BUILTIN_BASES or p in found for p in parents):
                found[name], grew = where, True
    return found


def test_it_finds_the_known_errors() -> None:
    assert {"HygieneError", "ImportRejected", "ChannelDown", "AckRejected"} <= set(
        _exception_classes()
    )


def test_it_documents_every_error_class() -> None:
    doc = errors.__doc__ or ""
    missing = {name: where for name, where in _exception_classes().items() if name not in doc}
    assert missing == {}


def test_it_documents_no_error_that_does_not_exist() -> None:
    doc = errors.__doc__ or ""
    names = [m.group(1) for line in doc.splitlines() if (m := TREE_ENTRY.match(line))]
    assert len(names) > 20, "the tree lines were not found"
    defined = _exception_classes()
    assert [n for n in names if n not in defined] == []
