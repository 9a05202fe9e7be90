"""Every action the code appends to the audit log, and every kind of actor, has a Vietnamese and
an English label (the console's log shows labels, not `console_user.deactivated`). The actions
are found in the code itself, so a new action without a label fails here."""

import ast
import re
from collections.abc import Iterator
from pathlib import Path

from hygiene import i18n

SRC = Path(i18n.__file__).parent
CODE = re.compile(r"^[a-z_]+\.[a-z_]+$")
# Calls whose string arguments are audit actions: the audit API and the helpers that forward one.
CARRIERS = {"append", "NewEvent", "_log", "_event", "_Evidence"}
# Modules whose audit calls take the action from a parameter or a field (the callers above).
FORWARDERS = {
    "users/revocation.py",
    "inventory/edits.py",
    "inventory/write.py",
    "outbox/outcomes.py",
    "restore/decisions.py",
    "exposures/service.py",
    "audit/service.py",  # append() itself
    "incidents/service.py",
}
AUDIT_CALLS = {"append", "NewEvent"}


def _modules() -> Iterator[tuple[str, ast.AST]]:
    for path in sorted(SRC.rglob("*.py")):
        if "migrations" not in path.parts:
            yield path.relative_to(SRC).as_posix(), ast.parse(path.read_text("utf-8"))


def _name(func: ast.expr) -> str:
    return func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")


def _codes(node: ast.expr) -> Iterator[str]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str) and CODE.match(node.value):
        yield node.value
    elif isinstance(node, ast.IfExp):
        yield from _codes(node.body)
        yield from _codes(node.orelse)


def _action_strings(node: ast.AST) -> Iterator[str]:
    if isinstance(node, ast.Call):
        for keyword in node.keywords:
            if keyword.arg == "action":
                yield from _codes(keyword.value)
        if _name(node.func) in CARRIERS:
            for argument in node.args:
                yield from _codes(argument)
    elif isinstance(node, ast.Assign) and any(
        isinstance(t, ast.Name) and t.id == "action" for t in node.targets
    ):
        yield from _codes(node.value)


def audited_actions() -> dict[str, str]:
    """Each action string in the code, with the module it was found in."""
    found: dict[str, str] = {}
    for module, tree in _modules():
        for node in ast.walk(tree):
            for code in _action_strings(node):
                found.setdefault(code, module)
    return found


def _action_argument(call: ast.Call) -> ast.expr | None:
    for keyword in call.keywords:
        if keyword.arg == "action":
            return keyword.value
    return call.args[1] if _name(call.func) == "NewEvent" and len(call.args) > 1 else None


def test_the_scan_finds_actions_of_every_shape() -> None:
    found = audited_actions()

    # a keyword, a forwarding helper, a conditional, a positional NewEvent, a dataclass field
    for code in ("console_user.deactivated", "official.updated", "message.dead",
                 "import.completed", "exposures.flagged", "unit.head_set"):  # fmt: skip
        assert code in found, code
    assert len(found) >= 45


def test_every_audited_action_has_a_label_in_both_languages() -> None:
    catalogue = i18n.catalogue()
    missing = []
    for code, module in sorted(audited_actions().items()):
        texts = catalogue.get(f"label.audit_action.{code}", {})
        if not (texts.get("vi") and texts.get("en")) or texts["vi"] == code:
            missing.append(f"{code} ({module})")

    assert not missing, f"audit actions without a vi+en label (locales/i18n.toml): {missing}"


def test_only_known_helpers_pass_an_action_the_scan_cannot_read() -> None:
    unread = []
    for module, tree in _modules():
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and _name(node.func) in AUDIT_CALLS):
                continue
            argument = _action_argument(node)
            if argument is not None and not list(_codes(argument)) and module not in FORWARDERS:
                unread.append(f"{module}:{node.lineno}")

    assert not unread, f"an audit action from a variable: add its helper to CARRIERS: {unread}"


def _actor_kinds() -> Iterator[str]:
    """The part before ":" of every actor the code writes: `actor=` values, and the strings
    returned by the functions that make actors (Principal.actor, cli actor(), acks' _owner)."""
    for _, tree in _modules():
        for node in ast.walk(tree):
            values: list[ast.expr] = []
            if isinstance(node, ast.Call):
                values = [k.value for k in node.keywords if k.arg == "actor"]
            elif isinstance(node, ast.FunctionDef) and node.name in ("actor", "_owner"):
                values = [r.value for r in ast.walk(node) if isinstance(r, ast.Return) and r.value]
            for value in values:
                yield from _kinds(value)


def _kinds(value: ast.expr) -> Iterator[str]:
    if isinstance(value, ast.IfExp):
        yield from _kinds(value.body)
        yield from _kinds(value.orelse)
    elif isinstance(value, ast.Constant) and isinstance(value.value, str):
        yield value.value.partition(":")[0]
    elif isinstance(value, ast.JoinedStr) and isinstance(value.values[0], ast.Constant):
        head = str(value.values[0].value)
        if ":" in head:
            yield head.partition(":")[0]


def test_every_actor_kind_has_a_label_in_both_languages() -> None:
    kinds = set(_actor_kinds()) | {"demo"}  # demo.DEMO_ACTOR, passed by name
    catalogue = i18n.catalogue()

    assert {"user", "official", "cli", "worker", "scheduler", "sms", "device"} <= kinds
    missing = [k for k in sorted(kinds) if not {"vi", "en"} <= catalogue.get(
        f"label.audit_actor.{k}", {}).keys()]  # fmt: skip
    assert not missing, f"actor kinds without a vi+en label (locales/i18n.toml): {missing}"
