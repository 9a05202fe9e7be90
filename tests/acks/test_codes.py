"""Acknowledgement codes: deterministic per message, formatted, forgiving, stored as an HMAC."""

from hygiene.acks import codes

SECRET = b"test-secret-key-for-hygiene-0123456789"


def test_it_gives_a_retry_the_same_code() -> None:
    assert codes.code_for(SECRET, "rotation:1:2026-03-02:due") == codes.code_for(
        SECRET, "rotation:1:2026-03-02:due"
    )


def test_it_gives_another_message_another_code() -> None:
    assert codes.code_for(SECRET, "rotation:1:2026-03-02:due") != codes.code_for(
        SECRET, "rotation:2:2026-03-02:due"
    )


def test_it_depends_on_the_secret() -> None:
    assert codes.code_for(SECRET, "k") != codes.code_for(b"another-secret-0123456789", "k")


def test_it_uses_eight_crockford_characters() -> None:
    code = codes.code_for(SECRET, "digest:7:2026-W10")
    assert len(code) == 8
    assert set(code) <= set(codes.ALPHABET)


def test_it_shows_the_code_in_two_groups() -> None:
    assert codes.display("ABCD2345") == "ABCD-2345"


def test_it_forgives_case_dashes_and_look_alike_letters() -> None:
    assert codes.normalise(" abcd-i0lo ") == "ABCD1010"


def test_it_refuses_a_code_of_the_wrong_length() -> None:
    assert codes.normalise("ABC-123") is None


def test_it_stores_an_hmac_that_is_not_the_code() -> None:
    code = codes.code_for(SECRET, "k")
    stored = codes.code_hmac(SECRET, code)
    assert len(stored) == 64
    assert code not in stored.upper()
