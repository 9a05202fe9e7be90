"""The no-link rule, spelling by spelling (issue 13, item 8)."""

import random
import sys
import unicodedata
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from hygiene.advisories import service as advisories
from hygiene.clock import FixedClock
from hygiene.errors import InvalidInput
from hygiene.messages import links
from hygiene.messages.links import clean, find_link, find_link_in_html
from hygiene.messages.render import LinkInMessage, render
from hygiene.portal import service as portal
from tests import factories
from tests.messages.test_templates import sample

LINKS = [
    "https://evil.example/login",
    "http://evil.example",
    "HTTPS://EVIL.EXAMPLE",
    "www.evil.example",
    "evil.example/login",
    "Xem tại evil.example/login ngay",
    "//evil.example",
    "xem //evil.example/x",
    "\\\\evil.example\\share",
    "ftp://files.evil.example",
    "ftp:files",
    "mailto:boss@evil.example",
    "data:text/html;base64,PHNjcmlwdD4=",
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "tel:+84912345678",
    "sms:0912345678",
    "h\u200bttps://evil.example",  # zero-width space
    "www\u200b.evil.example",
    "evil\u200b.com",
    "evil\u2060.com/x",  # word joiner
    "ev\u00adil.com",  # soft hyphen
    "java\x00script:alert(1)",  # control character
    "java\tscript:alert(1)",
    "ｈｔｔｐｓ：／／evil.example",  # full-width
    "ｗｗｗ．evil．example",
    "evil。example/login",  # ideographic full stop
    "ｅｖｉｌ．ｃｏｍ",
    "evil.com",
    "tin-tuc.vn",
    "bộcôngan.vn",
    "login.microsoftonline.com",
    "xn--bcngan-n0a.vn",
    "192.168.1.10/login",
    "10.0.0.1:8080",
    "evil.example:8443",
    "evil.example?next=1",
    "contact.me",
]

NOT_LINKS = [
    "Hãy đổi mật khẩu email công vụ trước ngày 15/12/2026.",
    "Lưu ý: không bấm vào đường liên kết lạ.",
    "Căn cứ công văn số 123/CV-UBND ngày 01.12.2026 của UBND huyện.",
    "Nghị định 13/2023/NĐ-CP về bảo vệ dữ liệu cá nhân.",
    "Lúc 10:30 sáng, TP.HCM, Q.1, v.v.",
    "Báo cho it@xa-minh-son.gov.vn hoặc gọi 0912 345 678.",
    "nguyen.huong@xa.example",
    "Mục 1.2.3.4 của hướng dẫn",
    "Chrome: bấm nút ba chấm ⋮ > Cài đặt > Mật khẩu",
    "Cụm từ: mèo xanh ăn cá",
    "ng***@…",
    "evil.example",  # a bare name with an unknown top-level domain and no path
]


@pytest.mark.parametrize("text", LINKS)
def test_it_finds_every_spelling_of_a_link(text: str) -> None:
    assert find_link(text) is not None


@pytest.mark.parametrize("text", NOT_LINKS)
def test_it_leaves_ordinary_text_alone(text: str) -> None:
    assert find_link(text) is None


@pytest.mark.parametrize(
    "html",
    [
        '<p>Đọc <a href="#x">tại đây</a></p>',
        '<img src="cid:logo">',
        '<p style="background: url(evil)">x</p>',
        "<p>evil.com</p>",
        '<form action="/x"><button>OK</button></form>',
    ],
)
def test_it_finds_links_in_html_parts(html: str) -> None:
    assert find_link_in_html(html) is not None


def test_it_accepts_plain_html() -> None:
    html = '<!doctype html><html lang="vi"><head><meta charset="utf-8"></head><p>Kính gửi</p>'
    assert find_link_in_html(html) is None


def test_a_template_override_with_a_link_is_never_rendered(tmp_path: Path) -> None:
    override = tmp_path / "vi" / "browser"
    override.mkdir(parents=True)
    (override / "sms.txt").write_text("Xem huong dan tai huong-dan.example/xoa {{ ack_code }}\n")
    with pytest.raises(LinkInMessage):
        render("browser", "vi", sample(), templates_dir=tmp_path)


def test_a_name_from_the_spreadsheet_with_a_link_is_never_rendered() -> None:
    with pytest.raises(LinkInMessage):
        render("browser", "en", sample(full_name="Nguyễn A ｅｖｉｌ．ｃｏｍ"))


@pytest.mark.parametrize(
    "spelling", ["evil.example/login", "//evil.example", "mailto:a", "e\u200bvil.com"]
)
def test_an_advisory_with_any_spelling_of_a_link_is_refused(
    engine: Engine, clock: FixedClock, audit_key: bytes, spelling: str
) -> None:
    with Session(engine) as session, pytest.raises(InvalidInput) as raised:
        advisories.publish(
            session, title="Cảnh giác", body=f"Chi tiết: {spelling}", severity="high",
            reference=None, requires_ack=False, now=clock.now(), actor="test", key=audit_key,
        )  # fmt: skip
    assert raised.value.code == "links.refused"


@pytest.mark.parametrize("spelling", ["evil.com", "ｗｗｗ．x．vn", "data:x"])
def test_an_anti_phishing_phrase_with_a_link_is_refused(
    engine: Engine, clock: FixedClock, audit_key: bytes, spelling: str
) -> None:
    with Session(engine) as session:
        official = factories.official(session, factories.ident(factories.unit(session)), "CB001")
        with pytest.raises(InvalidInput):
            portal.set_phrase(
                session, official=official, phrase=f"hoa {spelling}", now=clock.now(),
                key=audit_key, actor="test",
            )  # fmt: skip


def _clean_char_by_char(text: str) -> str:
    """The definition `clean` implements: NFKC, look-alike stops as `.`, format characters
    dropped, control characters a space when whitespace, else dropped."""
    normal = unicodedata.normalize("NFKC", text)
    normal = normal.translate({0x3002: ".", 0xFF61: ".", 0xFE52: ".", 0x2024: "."})
    kept = []
    for char in normal:
        category = unicodedata.category(char)
        if category == "Cc":
            kept.append(" " if char.isspace() else "")
        elif category != "Cf":
            kept.append(char)
    return "".join(kept)


def test_clean_matches_its_definition_on_every_code_point() -> None:
    points = [chr(p) for p in range(sys.maxunicode + 1) if not 0xD800 <= p <= 0xDFFF]
    chunks = ["".join(points[i : i + 4096]) for i in range(0, len(points), 4096)]

    assert [clean(chunk) for chunk in chunks] == [_clean_char_by_char(c) for c in chunks]


def test_clean_matches_its_definition_on_mixed_text() -> None:
    pool = "ab .:/\t\n\r\x00\x7f\x85\u00ad\u200b\u200d\u2060\ufeff\u3002\uff61ｈｔｔｐ\U000e0041ếữ"
    rng = random.Random(7)  # noqa: S311  (reproducible test strings, not secrets)
    texts = ["".join(rng.choice(pool) for _ in range(rng.randint(0, 60))) for _ in range(500)]

    assert [clean(t) for t in texts] == [_clean_char_by_char(t) for t in texts]
    assert clean("ev\u200bil\u3002com\tx") == "evil.com x"


# The word-by-word shortcut (links.py docstring, "Speed") must give what the full path gives:
# the same answer, the same piece named, whatever the words remembered from earlier texts.
_WORDS = [
    *("Hãy", "đổi", "mật", "khẩu", "ngày", "15/12/2026", "(l***):", "TP.HCM,", "it@xa.gov.vn"),
    *("evil", "evil.", ".com", "com", "evil.com", "evil.example", "/login", "//", "\\\\", "www"),
    *("www.", "https:", "https://x", "http", ":", "mailto:a", "10.0.0.1", "10.0.0.1:80", "1.2.3.4"),
    *("tin-tuc.vn", "xn--abc", "a.b", "@", "Note:abc", "v.v.", "Q.1,", "ｅｖｉｌ．ｃｏｍ"),
    "\U0001d41evil.com",  # a mathematical bold e: beyond the BMP, NFKC makes it an e
]
_GAPS = [" ", "\n", "\t", "  ", "\u2028", "\x1c", "\u3000", "\u00a0", "", "\u200b", "\u3002"]
_MARKUP = ["<p>", "</p>", "<a href=x>", "<img\nsrc=", "<b", ">", "url(", "URL (", "@import"]


def _full_path(text: str) -> str | None:
    return links._scan(clean(text))


def _full_path_html(html: str) -> str | None:
    cleaned = clean(html)
    for pattern in (links._LINK_ATTRIBUTE, links._CSS_URL):
        found = pattern.search(cleaned)
        if found:
            return found.group(0)
    return _full_path(links._TAG.sub(" ", cleaned))


def _texts(rng: random.Random, words: list[str], count: int) -> list[str]:
    return [
        "".join(rng.choice(words) + rng.choice(_GAPS) for _ in range(rng.randint(0, 12)))
        for _ in range(count)
    ]


def test_the_word_shortcut_finds_what_the_full_path_finds() -> None:
    rng = random.Random(11)  # noqa: S311  (reproducible test strings, not secrets)
    texts = _texts(rng, _WORDS, 3000)

    assert [find_link(t) for t in texts] == [_full_path(t) for t in texts]
    assert sum(_full_path(t) is None for t in texts) > 300  # both answers are exercised


def test_the_markup_shortcut_finds_what_the_full_path_finds() -> None:
    rng = random.Random(12)  # noqa: S311  (reproducible test strings, not secrets)
    htmls = _texts(rng, _WORDS[:9] + _MARKUP, 3000)

    assert [find_link_in_html(h) for h in htmls] == [_full_path_html(h) for h in htmls]
    assert sum(_full_path_html(h) is None for h in htmls) > 300


def test_words_remembered_clean_still_make_a_link_together() -> None:
    assert find_link("evil com example login") is None

    assert find_link("evil.com") == "evil.com"
    assert find_link("xem evil.example/login") == "evil.example/"


def test_the_line_shortcut_finds_what_the_full_path_finds() -> None:
    """Texts made of the same lines again and again, as a campaign's messages are: a line
    remembered clean must never hide a link that a new line, or a new mix, brings."""
    rng = random.Random(13)  # noqa: S311  (reproducible test strings, not secrets)
    lines = [t.replace("\n", " ") for t in _texts(rng, _WORDS, 60)]
    texts = ["\n".join(rng.choice(lines) for _ in range(rng.randint(1, 4))) for _ in range(3000)]

    assert [find_link(t) for t in texts] == [_full_path(t) for t in texts]
    assert 200 < sum(_full_path(t) is None for t in texts) < 2800  # both answers exercised


def test_a_line_seen_clean_does_not_hide_a_link_beside_it() -> None:
    fixed = "Hệ thống không bao giờ hỏi mật khẩu của đồng chí."
    assert find_link(f"{fixed}\nMã xác nhận: 7KQ2-M9XD") is None

    assert find_link(f"{fixed}\nMở evil.com ngay") == "evil.com"
    assert find_link_in_html(f"<p>{fixed}</p>\n<p style='x:URL (a)'>b</p>") == "URL ("
