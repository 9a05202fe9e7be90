from datetime import date

import pytest
from pydantic import ValidationError

from hygiene import i18n
from hygiene.inventory import values
from hygiene.inventory.schemas import OfficialCreate, ValidationContext, problems_of


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


def test_a_phone_is_valid_exactly_when_phonenumbers_says_so() -> None:
    """values.phone asks number_type once instead of is_valid_number and then number_type."""
    import random

    import phonenumbers

    rng = random.Random(16)  # noqa: S311 (test inputs, not secrets)
    prefixes = ["0", "84", "+84", "+1", "+44", "+856", "02", "09", "03", "08", "07", "05", "1900"]
    numbers = {p + "".join(rng.choices("0123456789", k=rng.randint(5, 11))) for p in prefixes * 300}
    valid = 0
    for raw in sorted(numbers):
        try:
            number = phonenumbers.parse(raw, "VN")
        except phonenumbers.NumberParseException:
            continue
        expected = (
            phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
            if phonenumbers.is_valid_number(number)
            else None
        )
        mobile = phonenumbers.number_type(number) in values._MOBILE_TYPES
        found = values._parsed(raw)
        assert (found[0] if found else None) == expected, raw
        assert found is None or found[1] == mobile, raw
        valid += expected is not None
    assert 200 < valid < len(numbers) - 200  # both outcomes were tried


def test_a_problem_pydantic_finds_is_given_in_the_catalogues_words() -> None:
    context = ValidationContext(today=date(2026, 12, 3), kinds=["email"])
    row = {"employee_id": "CB001", "full_name": "Nguyễn Thị Hương", "unit": "Văn phòng"}

    with pytest.raises(ValidationError) as caught:
        OfficialCreate.model_validate({**row, "nickname": "Hương"}, context=context)
    [problem] = problems_of(caught.value)

    assert problem["field"] == "nickname"
    assert i18n.t(problem["code"], "vi", **problem["params"]) == "không có khóa này (sai chính tả?)"
    assert i18n.t(problem["code"], "en", **problem["params"]) == "no such key (a typo?)"
