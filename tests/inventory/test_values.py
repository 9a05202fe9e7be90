from datetime import date

import pytest

from hygiene.inventory import values


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("0912 345 678", "+84912345678"),
        ("0912.345.678", "+84912345678"),
        ("84912345678", "+84912345678"),
        ("+84 91-234-5678", "+84912345678"),
        ("(024) 3825 1234", "+842438251234"),
        (912345678, "+84912345678"),
        ("", None),
    ],
)
def test_phones_become_e164(raw: object, expected: str | None) -> None:
    assert values.phone(raw) == expected


@pytest.mark.parametrize(
    "raw", ["0912", "12345", "09123456789012", "abc", "0123 456 789", "+84 12", "0912-34a-678"]
)
def test_bad_phones_are_refused(raw: str) -> None:
    with pytest.raises(values.FieldError, match=r"phone\.invalid"):
        values.phone(raw)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("02/03/2026", date(2026, 3, 2)),
        ("2/3/2026", date(2026, 3, 2)),
        ("2026-03-02", date(2026, 3, 2)),
        ("02.03.2026", date(2026, 3, 2)),
        ("", None),
    ],
)
def test_dates_are_day_first_or_iso(raw: str, expected: date | None) -> None:
    assert values.parse_date(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("có", True), ("Có", True), ("không", False), ("YES", True), ("0", False), ("x", True)],
)
def test_yes_no_in_both_languages(raw: str, expected: bool) -> None:
    assert values.yes_no(raw) is expected


def test_names_are_nfc_and_single_spaced() -> None:
    decomposed = "Nguye\u0302\u0303n  Thi\u0323 Hu\u031bo\u031bng"
    assert values.text(decomposed, max_length=50) == "Nguyễn Thị Hương"


def test_fold_ascii_removes_diacritics_and_d_stroke() -> None:
    assert values.fold_ascii("Đặng Thị Hường") == "Dang Thi Huong"
