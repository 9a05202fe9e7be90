"""Acknowledgement codes: deterministic per message, formatted, forgiving, stored as an HMAC."""

from hygiene import keyed

SECRET = b"test-secret-key-for-hygiene-0123456789"


def test_it_gives_a_retry_the_same_code() -> None:
    assert keyed.code_for(SECRET, "rotation:1:2026-03-02:due") == keyed.code_for(
        SECRET, "rotation:1:2026-03-02:due"
    )


def test_it_gives_another_message_another_code() -> None:
    assert keyed.code_for(SECRET, "rotation:1:2026-03-02:due") != keyed.code_for(
        SECRET, "rotation:2:2026-03-02:due"
    )


def test_it_depends_on_the_secret() -> None:
    assert keyed.code_for(SECRET, "k") != keyed.code_for(b"another-secret-0123456789", "k")


def test_it_uses_eight_crockford_characters() -> None:
    code = keyed.code_for(SECRET, "digest:7:2026-W10")
    assert len(code) == 8
    assert set(code) <= set(keyed.ALPHABET)


def test_it_shows_the_code_in_two_groups() -> None:
    assert keyed.display("ABCD2345") == "ABCD-2345"


def test_it_forgives_case_dashes_and_look_alike_letters() -> None:
    assert keyed.normalise(" abcd-i0lo ") == "ABCD1010"


def test_it_refuses_a_code_of_the_wrong_length() -> None:
    assert keyed.normalise("ABC-123") is None


def test_it_stores_an_hmac_that_is_not_the_code() -> None:
    code = keyed.code_for(SECRET, "k")
    stored = keyed.code_hmac(SECRET, code)
    assert len(stored) == 64
    assert code not in stored.upper()
