"""Context words (NIST SP 800-63B-4): a password built from the official's own details, the
system's or the service's name, or a birth-year-like number is refused; others pass."""

import pytest

from hygiene.breach.context import Context, refusals

HOA = Context(
    full_name="Lò Thị Hoa",
    employee_id="LC-00123",
    unit="UBND xã Bum Nưa",
    login="lo.hoa@xa.example",
    system="Zalo",
)

CASES = [
    ("LoThiHoa!!", ("name",)),
    ("hoa-dep-trai-lam", ("name",)),
    ("H0@ xinh lắm nhé", ("name",)),  # substitutions undone
    ("lc00123-matkhau", ("employee_id",)),
    ("bumnua-mua-xuan", ("unit",)),
    ("zalo-cua-toi-day", ("service",)),
    ("hygiene-rat-tot", ("service",)),
    ("mua thu 1987 vang", ("birth_year",)),
    ("Nguyễn Đức Thắng", ()),
    ("cà phê sữa đá buổi sáng", ()),
    ("sổ tay 20251 xanh", ()),  # five digits: not a year
]


@pytest.mark.parametrize(("password", "broken"), CASES)
def test_it_names_the_rules_a_password_breaks(password: str, broken: tuple[str, ...]) -> None:
    assert refusals(password, HOA) == broken


def test_diacritics_are_folded_on_both_sides() -> None:
    official = Context(full_name="Nguyễn Thị Hương")
    assert refusals("huongnguyen", official) == ("name",)
    assert refusals("HƯƠNG-ơi", official) == ("name",)


def test_two_letter_name_parts_count_only_inside_the_whole_name() -> None:
    official = Context(full_name="Lò Văn Mí")
    assert refusals("mi-an-com-chua", official) == ()
    assert refusals("lovanmi-an-com", official) == ("name",)


def test_generic_unit_words_are_not_context() -> None:
    assert refusals("phong-khach-rat-rong", Context(unit="Phòng Tài chính")) == ()
    assert refusals("taichinh-so-1", Context(unit="Phòng Tài chính")) == ("unit",)


def test_a_short_employee_id_is_not_context() -> None:
    assert refusals("day-12-ngay-mua", Context(employee_id="12")) == ()
