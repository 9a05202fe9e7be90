import pytest

from hygiene.policy import strength


def test_a_vietnamese_common_password_scores_weak() -> None:
    assert strength.evaluate("matkhau@123").score <= 1
    assert strength.evaluate("anhyeuem123").score <= 1


def test_the_officials_own_details_make_a_password_weak() -> None:
    mine = strength.personal_inputs("Nguyễn Thị Hương", "huong.nt@xa.example", "+84912345678")

    assert strength.evaluate("Huong0912345678", user_inputs=mine).score <= 1
    assert (
        strength.evaluate("Huong0912345678").score
        > strength.evaluate("Huong0912345678", user_inputs=mine).score
    )


def test_a_long_passphrase_scores_strong() -> None:
    assert strength.evaluate("ngựa vàng leo dốc chiều mưa 47").score == 4


def test_feedback_is_vietnamese_and_english() -> None:
    result = strength.evaluate("asdfghjkl;")

    assert result.warning == "rows"
    assert result.feedback("vi")[0] == "Hàng phím liền nhau (qwerty…) rất dễ đoán."
    assert "rows of keys" in " ".join(result.feedback("en"))


def test_crack_time_is_in_words() -> None:
    assert strength.evaluate("123456").crack_time("vi") == "dưới 1 giây"
    assert strength.evaluate("ngựa vàng leo dốc chiều mưa 47").crack_time("en") == "centuries"


def test_inputs_longer_than_72_characters_are_refused_not_crashed() -> None:
    with pytest.raises(strength.TooLong):
        strength.evaluate("a" * 73)
    assert strength.evaluate("a" * 72).score == 0


def test_personal_inputs_include_folded_names_and_phone_forms() -> None:
    inputs = strength.personal_inputs("Đặng Thị Hường", "+84912345678")

    assert {"hường", "huong", "dang", "0912345678", "84912345678"} <= set(inputs)
