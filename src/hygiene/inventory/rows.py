"""Import stage 2's hot path: one row's cells → InventoryRow by plain calls, no pydantic per cell.

The same parsers as InventoryRow's validators (hygiene.inventory.values), with the same
defaults: a field absent from the row keeps its default unchecked, except `kind`, which is
inferred from the system. The row is then built with `model_construct`, with the fields the row
gave as its `model_fields_set`. A row that any parser refuses is handed back as None, and the
caller validates it with InventoryRow.model_validate, so a bad row's problems are pydantic's own,
word for word (bad rows are rare; good rows are the cost).

An official's cells repeat on each of their rows, and consecutive rows usually belong to the same
official: the last official's parsed fields are kept, keyed by their raw cells (one entry). An
account's cells but the login (system, kind, date, yes/no) take few distinct values in a file:
up to 4,096 of their parsed forms are kept. Memory stays flat.
"""

from typing import Any

from hygiene.inventory import values
from hygiene.inventory.schemas import InventoryRow, ValidationContext

OFFICIAL_CELLS = ("employee_id", "full_name", "unit", "email", "phone", "locale")
# The account cells but the login, whose values repeat across a file (systems, dates, yes/no).
_ACCOUNT_CELLS = ("system", "kind", "last_rotated", "mfa", "unit_head")
_REMEMBERED = 4096
_KEYED_TYPES = frozenset({str, type(None), bool})  # bool: the flag
_Key = tuple[object, ...]


class RowParser:
    """Parse rows of one import; `parse(given)` takes the non-blank cells by column name."""

    def __init__(self, context: ValidationContext) -> None:
        self.context = context
        self.kinds = context.kind_names
        self._last: tuple[_Key, dict[str, Any]] | None = None
        self._accounts: dict[_Key, dict[str, Any]] = {}  # all but the login

    def parse(self, given: dict[str, Any]) -> InventoryRow | None:
        """The valid row, or None when a cell is refused (or a required one is missing)."""
        try:
            official = self._official(given)
            account = self._account(given)
        except (ValueError, AssertionError, KeyError):  # FieldError is a ValueError; KeyError:
            return None  # a required cell is missing
        return _row({**official, **account}, set(given))

    def _official(self, given: dict[str, Any]) -> dict[str, Any]:
        # A blank locale cell and none at all differ ("" against the default); else None = absent.
        key = _text_key(given, OFFICIAL_CELLS, "locale" in given)
        last = self._last
        if key is not None and last is not None and last[0] == key:
            return last[1]
        official = self._parse_official(given)
        if key is not None:
            self._last = (key, official)
        return official

    def _parse_official(self, given: dict[str, Any]) -> dict[str, Any]:
        email, phone, locale = given.get("email"), given.get("phone"), given.get("locale")
        return {
            "employee_id": values.employee_id(given["employee_id"]),
            "full_name": values.text(given["full_name"], max_length=200),
            "unit": values.text(given["unit"], max_length=200),
            "email": values.email(email) if "email" in given else None,
            "phone": values.phone(phone) if "phone" in given else None,
            "locale": (
                values.locale(locale, default=self.context.default_locale)
                if "locale" in given
                else ""
            ),
        }

    def _account(self, given: dict[str, Any]) -> dict[str, Any]:
        key = _text_key(given, _ACCOUNT_CELLS, "unit_head" in given)  # None: False, absent: None
        if key is None:
            return {**self._parse_account(given), "login": self._login(given)}
        found = self._accounts.get(key)
        if found is None:
            if len(self._accounts) >= _REMEMBERED:
                self._accounts.clear()
            found = self._accounts[key] = self._parse_account(given)
        return {**found, "login": self._login(given)}

    @staticmethod
    def _login(given: dict[str, Any]) -> str:
        if "login" not in given:
            return ""
        return values.text(given["login"], max_length=254, required=False)

    def _parse_account(self, given: dict[str, Any]) -> dict[str, Any]:
        system = values.text(given["system"], max_length=100)
        kind = given.get("kind", "")
        out: dict[str, Any] = {
            "system": system,
            "kind": self.kinds.match(kind) if str(kind or "").strip() else self.kinds.infer(system),
            "last_rotated": None,
            "mfa": False,
            "unit_head": None,
        }
        if "last_rotated" in given:
            out["last_rotated"] = values.parse_date(given["last_rotated"], today=self.context.today)
        if "mfa" in given:
            out["mfa"] = values.yes_no(given["mfa"])
        if "unit_head" in given:
            out["unit_head"] = values.yes_no(given["unit_head"])
        return out


def _text_key(given: dict[str, Any], names: tuple[str, ...], flag: bool) -> _Key | None:
    """The cells as a memo key, when all are text or absent: equal keys then parse alike (an int
    1, a float 1.0 and True are equal keys but different text, so other cells are not keyed)."""
    cells = (*map(given.get, names), flag)
    if set(map(type, cells)) - _KEYED_TYPES:
        return None
    return cells


def _row(fields: dict[str, Any], fields_set: set[str]) -> InventoryRow:
    """InventoryRow.model_construct without its per-field loop (every field is given here): the
    same four attributes it sets. tests/inventory/test_import_rows.py compares the result with
    model_validate's, so a pydantic release that changes this shows there."""
    row = object.__new__(InventoryRow)
    object.__setattr__(row, "__dict__", fields)
    object.__setattr__(row, "__pydantic_fields_set__", fields_set)
    object.__setattr__(row, "__pydantic_extra__", None)
    object.__setattr__(row, "__pydantic_private__", None)
    return row
