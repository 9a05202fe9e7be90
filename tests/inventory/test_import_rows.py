"""The import's plain-call row parser gives what InventoryRow.model_validate gives, row for row:
the same values and fields set for a good row, and None (so pydantic reports it) for a bad one."""

import itertools
from datetime import UTC, date, datetime
from typing import Any

import pytest
from pydantic import ValidationError

from hygiene.audit import service as audit
from hygiene.inventory import write
from hygiene.inventory.kinds import KindNames
from hygiene.inventory.rows import RowParser
from hygiene.inventory.schemas import InventoryRow, ValidationContext
from hygiene.settings import default_policies

CONTEXT = ValidationContext(
    today=date(2026, 3, 2), kinds=KindNames.from_policies(default_policies())
)
GOOD: dict[str, Any] = {
    "employee_id": "CB001",
    "full_name": "  Nguyễn   Thị Hương ",
    "unit": "UBND xã",
    "email": "Huong.NT@xa.example",
    "phone": "0912 345 678",
    "locale": "Tiếng Việt",
    "system": "Email công vụ",
    "kind": "thư điện tử",
    "login": "Huong.NT",
    "last_rotated": "15/01/2026",
    "mfa": "có",
    "unit_head": "không",
}
# Per column: spellings that pass and that fail (None: leave the cell out).
CELLS: dict[str, list[Any]] = {
    "employee_id": ["CB001", "cb-002/x", 12345, "", "CB 001", "CBМ1", "A" * 65],
    "full_name": ["Trần Văn B", "x" * 201, ""],
    "unit": ["Phòng Nội vụ", None],
    "email": [None, "a@b.vn", "not-an-email", 5],
    "phone": [None, "0987654321", 987654321, "+84 24 3825 1234", "12345", "84912345678"],
    "locale": [None, "en", "English", "fr"],
    "system": ["Zalo", "Facebook", "Cổng dịch vụ công", "Máy chủ nội bộ", "", None],
    "kind": [None, "", "messaging", "Nhắn tin", "bogus"],
    "login": [None, "", "u1", "x" * 255],
    "last_rotated": [
        None,
        "2026-01-15",
        "1.2.2026",
        date(2026, 1, 1),
        datetime(2026, 2, 1, 9, tzinfo=UTC),
        "31/02/2026",
        "01/01/2027",
        "soon",
    ],
    "mfa": [None, "x", "Không", "maybe", True],
    "unit_head": [None, "có", "no", "?"],
}


def _pydantic(given: dict[str, Any]) -> InventoryRow | None:
    try:
        return InventoryRow.model_validate(given, context=CONTEXT)
    except ValidationError:
        return None


def _variants() -> list[dict[str, Any]]:
    """The good row with one column changed, then with two (every pair of spellings)."""
    out: list[dict[str, Any]] = []
    for name, spellings in CELLS.items():
        out.extend(_with(GOOD, {name: value}) for value in spellings)
    for (a, first), (b, second) in itertools.combinations(CELLS.items(), 2):
        out.extend(_with(GOOD, {a: x, b: y}) for x in first[:3] for y in second[:3])
    return out


def _with(base: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    row = {**base, **changes}
    # The importer leaves out blank cells before parsing; None here means "no such cell".
    return {k: v for k, v in row.items() if v is not None and not (isinstance(v, str) and not v)}


def test_it_parses_a_good_row_as_pydantic_does() -> None:
    row = RowParser(CONTEXT).parse(dict(GOOD))

    assert row == InventoryRow.model_validate(GOOD, context=CONTEXT)
    assert row is not None
    assert row.model_fields_set == set(GOOD)
    assert (row.phone, row.kind, row.locale, row.mfa) == ("+84912345678", "email", "vi", True)


@pytest.mark.parametrize("shared", [False, True], ids=["fresh parser", "one parser for all"])
def test_it_agrees_with_pydantic_on_every_variant(shared: bool) -> None:
    parser = RowParser(CONTEXT)
    variants = _variants()
    for given in variants:
        mine = (parser if shared else RowParser(CONTEXT)).parse(dict(given))
        theirs = _pydantic(given)
        if theirs is None:
            assert mine is None, given
            continue
        assert mine is not None, given
        assert mine.model_dump() == theirs.model_dump(), given
        assert mine.model_fields_set == theirs.model_fields_set, given
    assert sum(_pydantic(g) is None for g in variants) > 100  # bad rows were tried too


def test_it_does_not_reuse_an_official_for_different_cells() -> None:
    parser = RowParser(CONTEXT)
    first = parser.parse(dict(GOOD))
    second = parser.parse({**GOOD, "phone": "0987654321"})

    assert first is not None
    assert second is not None
    assert (first.phone, second.phone) == ("+84912345678", "+84987654321")


def test_a_row_it_builds_is_frozen_like_pydantics() -> None:
    row = RowParser(CONTEXT).parse(dict(GOOD))

    with pytest.raises(ValidationError):
        row.unit = "other"  # type: ignore[misc,union-attr]


@pytest.mark.parametrize(
    ("kind", "rotated", "mfa"),
    [
        ("email", None, False),
        ("messaging", date(2026, 1, 15), True),
        ('a "quoted" \\ kind', date(1999, 12, 31), False),
        ("Nhắn tin \u2028 \x01", None, True),
    ],
)
def test_an_account_created_event_is_encoded_as_canonical_json(
    kind: str, rotated: date | None, mfa: bool
) -> None:
    row = RowParser(CONTEXT).parse(dict(GOOD))
    assert row is not None
    row = row.model_copy(update={"kind": kind, "last_rotated": rotated, "mfa": mfa})

    data, encoded = write.created(row)

    assert data == {"after": {"kind": kind, "last_rotated_on": rotated, "mfa": mfa}}
    assert encoded == audit.canonical_json(data)


def test_equal_numbers_of_different_types_are_not_taken_for_one_another() -> None:
    parser = RowParser(CONTEXT)
    rows = [parser.parse({**GOOD, "full_name": v, "system": v}) for v in (1, 1.0, True, 1)]

    assert [(r.full_name, r.system) for r in rows if r is not None] == [
        ("1", "1"),
        ("1.0", "1.0"),
        ("True", "True"),
        ("1", "1"),
    ]
