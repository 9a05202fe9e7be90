"""The pure SMS text rules: folding and segment counting."""

from hypothesis import given
from hypothesis import strategies as st

from hygiene.channels.sms_text import count_segments, prepare


def test_it_fits_160_gsm_characters_in_one_segment() -> None:
    assert count_segments("a" * 160) == 1
    assert count_segments("a" * 161) == 2


def test_it_counts_153_gsm_characters_per_part_once_split() -> None:
    assert count_segments("a" * 306) == 2
    assert count_segments("a" * 307) == 3


def test_it_counts_an_extension_character_as_two_septets() -> None:
    assert count_segments("€" * 80) == 1
    assert count_segments("€" * 81) == 2


def test_it_never_splits_an_extension_character_across_parts() -> None:
    assert count_segments("a" * 152 + "€" + "a" * 152) == 3


def test_it_fits_70_ucs2_characters_in_one_segment() -> None:
    assert count_segments("ệ" * 70) == 1
    assert count_segments("ệ" * 71) == 2


def test_it_counts_67_ucs2_characters_per_part_once_split() -> None:
    assert count_segments("ệ" * 134) == 2
    assert count_segments("ệ" * 135) == 3


def test_it_counts_no_segment_for_an_empty_text() -> None:
    assert count_segments("") == 0


def test_it_folds_vietnamese_to_gsm7_by_default() -> None:
    prepared = prepare("Đồng chí Nguyễn Thị Hương: đổi mật khẩu", unicode=False)

    assert prepared.text == "Dong chi Nguyen Thi Huong: doi mat khau"
    assert prepared.encoding == "gsm7"


def test_it_keeps_diacritics_when_unicode_is_enabled() -> None:
    prepared = prepare("Đổi mật khẩu", unicode=True)

    assert prepared.text == "Đổi mật khẩu"
    assert prepared.encoding == "ucs2"


def test_it_replaces_typographic_punctuation_that_gsm7_lacks() -> None:
    assert prepare("«Email công vụ» — hạn…", unicode=False).text == '"Email cong vu" - han...'


def test_it_replaces_what_cannot_be_folded_with_a_question_mark() -> None:
    assert prepare("Mã 漢", unicode=False).text == "Ma ?"


@given(st.text())
def test_it_always_yields_gsm7_when_folding(text: str) -> None:
    assert prepare(text, unicode=False).encoding == "gsm7"
