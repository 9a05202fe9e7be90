"""The breach index: built from a synthetic corpus, a known password found with its count and an
unknown one not; bad input rejected with the line; the file is the only input."""

import random
import socket
from pathlib import Path

import pytest

from hygiene.breach import build as builder
from hygiene.breach.check import check
from hygiene.breach.context import Context
from hygiene.breach.index import BreachIndex
from hygiene.errors import InvalidInput
from tests.breach.corpus import sha1_hex, write_corpus

KNOWN = {"matkhau@123": 31_337, "123456": 37_359_195, "Huong1990": 12, "Tết2026!": 3}


@pytest.fixture
def index(tmp_path: Path) -> Path:
    corpus = write_corpus(tmp_path / "pwned.txt", KNOWN)
    builder.build(source=corpus, target=tmp_path / "breach.idx")
    return tmp_path / "breach.idx"


def test_it_finds_a_known_password_with_its_count(index: Path) -> None:
    with BreachIndex(index) as opened:
        assert opened.count("matkhau@123") == 31_337
        assert opened.count("123456") == 37_359_195


def test_it_finds_non_ascii_passwords_by_their_utf8_sha1(index: Path) -> None:
    with BreachIndex(index) as opened:
        assert opened.count("Tết2026!") == 3


def test_it_does_not_find_an_unknown_password(index: Path) -> None:
    with BreachIndex(index) as opened:
        assert opened.count("ngựa-pin-đúng-kẹp-giấy") == 0
        assert opened.count("matkhau@1234") == 0


def test_every_entry_of_the_corpus_is_found(tmp_path: Path) -> None:
    corpus = write_corpus(tmp_path / "pwned.txt", {}, random_entries=3_000)
    builder.build(source=corpus, target=tmp_path / "i.idx")
    pairs = [line.split(":") for line in corpus.read_text().splitlines()]
    with BreachIndex(tmp_path / "i.idx") as opened:
        assert opened.info.entries == 3_000
        assert all(opened.count_digest(bytes.fromhex(h)) == int(c) for h, c in pairs)


def test_absent_digests_are_not_found(index: Path) -> None:
    rng = random.Random(5)  # noqa: S311 - test data
    with BreachIndex(index) as opened:
        hits = sum(opened.count_digest(rng.getrandbits(160).to_bytes(20)) for _ in range(20_000))
    assert hits == 0


def test_its_size_is_twelve_bytes_per_entry_plus_the_bucket_table(index: Path) -> None:
    entries = len(KNOWN) + 5_000
    assert index.stat().st_size == 64 + 4 * (2**20 + 1) + 4 + 12 * entries


def test_it_accepts_lower_case_and_crlf(tmp_path: Path) -> None:
    lines = sorted(f"{sha1_hex(w).lower()}:{n}" for w, n in KNOWN.items())
    (tmp_path / "p.txt").write_bytes("\r\n".join(lines).encode())  # no final newline either
    builder.build(source=tmp_path / "p.txt", target=tmp_path / "p.idx")
    with BreachIndex(tmp_path / "p.idx") as opened:
        assert opened.count("Huong1990") == 12


def test_it_rejects_a_bad_line_naming_it_and_leaves_no_index(tmp_path: Path) -> None:
    good = sorted(f"{sha1_hex(w)}:{n}" for w, n in KNOWN.items())
    (tmp_path / "p.txt").write_text("\n".join([*good[:2], "not a hash:1", *good[2:]]) + "\n")
    with pytest.raises(InvalidInput) as caught:
        builder.build(source=tmp_path / "p.txt", target=tmp_path / "p.idx")
    assert caught.value.code == "breach.bad_line"
    assert caught.value.params == {"line": 3}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p.txt"]


def test_it_rejects_a_file_not_ordered_by_hash(tmp_path: Path) -> None:
    good = sorted(f"{sha1_hex(w)}:{n}" for w, n in KNOWN.items())
    (tmp_path / "p.txt").write_text("\n".join([good[0], good[2], good[1], good[3]]) + "\n")
    with pytest.raises(InvalidInput) as caught:
        builder.build(source=tmp_path / "p.txt", target=tmp_path / "p.idx")
    assert (caught.value.code, caught.value.params) == ("breach.not_sorted", {"line": 3})


def test_it_refuses_a_file_that_is_not_an_index(tmp_path: Path) -> None:
    (tmp_path / "x.idx").write_bytes(b"HASH:COUNT\n" * 10)
    with pytest.raises(InvalidInput) as caught:
        BreachIndex(tmp_path / "x.idx")
    assert caught.value.code == "breach.index_not_ours"


def test_it_refuses_a_truncated_index(index: Path) -> None:
    index.write_bytes(index.read_bytes()[:-5])
    with pytest.raises(InvalidInput) as caught:
        BreachIndex(index)
    assert caught.value.code == "breach.index_truncated"


def test_no_socket_is_opened_while_building_or_looking_up(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("a socket was opened")

    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    corpus = write_corpus(tmp_path / "pwned.txt", KNOWN, random_entries=100)
    builder.build(source=corpus, target=tmp_path / "i.idx")
    with BreachIndex(tmp_path / "i.idx") as opened:
        assert opened.count("matkhau@123") == 31_337


def test_no_socket_is_opened_during_a_strength_breach_check(
    index: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("a socket was opened")

    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    found = check("matkhau@123", index=index, context=Context(full_name="Lò Thị Hoa"))
    assert found.leaks == 31_337
    assert not found.acceptable
