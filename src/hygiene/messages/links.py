"""The no-link rule: nothing that can reach a message may hold a link, however it is spelled.

The directive teaches officials never to follow links in messages, so the service's own messages
carry none. Every text that can reach a message (advisories, anti-phishing phrases, template
overrides, inventory names, and finally every rendered message) goes through `find_link`.

Before looking, the text is NFKC-normalised (full-width `ｈｔｔｐｓ：／／` becomes `https://`),
zero-width, other format and control characters are removed (`ev\u200bil.com` becomes
`evil.com`; tabs and newlines become spaces), and look-alike full stops become `.`. Then it refuses:

- any URI scheme followed by something (`https:x`, `ftp:`, `mailto:a`, `data:`, `javascript:`);
- a scheme-relative `//host` (or `\\\\host`, which browsers treat the same);
- `www.` anywhere;
- a bare domain followed by a path, port, query or fragment (`evil.example/login`);
- a bare domain whose last label is a well-known top-level domain (`evil.com`, `tin-tuc.vn`);
- an IPv4 address followed by a path or port.

An email address (`it@xa.gov.vn`) is not a link. False positives (`Note:abc`) are accepted: the
writer adds a space.

Speed (every rendered message is checked, about 0.6 ms a message when each pattern scanned the
whole text): no pattern can match across whitespace, and every look-around in them treats
whitespace as it treats the ends of the text, so a text holds a link exactly when one of its
words does. A text with nothing to clean (NFKC aside) is therefore split into words, and only
the words not seen before are scanned (one pass over them joined); words found clean are
remembered (at most MAX_REMEMBERED, then forgotten). A line is a run of words, so lines are
remembered the same way, one level up: a template's fixed lines cost one set lookup each, and
only the lines holding a name or a code are split into words. Anything else (something to clean, a
character beyond the BMP, a word that matches, a link-carrying attribute) takes the full path,
which also names what it found.
"""

import functools
import re
import sys
import unicodedata

# Common generic TLDs, Vietnam's, and the country codes most used for throwaway phishing domains.
_TLDS = (
    "com net org info biz edu gov mil int name pro mobi asia tel travel jobs museum io co app "
    "dev xyz top site online club shop store live link click win bid loan work tech space "
    "website fun icu buzz vip cloud email support help news page blog today me tv cc ly to gl "
    "gg ai ws su pw tk ml ga cf gq cn ru uk us de fr jp kr in sg th la kh vn "
)
KNOWN_TLDS = frozenset(_TLDS.split())
_DOT_POINTS = (0x3002, 0xFF61, 0xFE52, 0x2024)  # 。 ｡ ﹒ ․
_SCHEME = re.compile(r"(?<![\w+.\-])[a-z][a-z0-9+.\-]*:(?=\S)", re.IGNORECASE)
_SLASHES = re.compile(r"(?:^|(?<=[^:\w]))[/\\]{2}(?=[^\s/\\])")
_WWW = re.compile(r"(?<!\w)www\.", re.IGNORECASE)
_LABEL = r"[^\W_](?:[\w\-]*[^\W_])?"
_DOMAIN = re.compile(
    rf"(?<![\w@.\-])(?:{_LABEL}\.)+(?P<tld>[^\W\d_]{{2,63}}|xn--[a-z0-9\-]+)(?![\w\-@])"
    r"(?P<after>[/:?#](?=\S))?",
    re.IGNORECASE,
)
_IPV4 = re.compile(r"(?<![\w.])\d{1,3}(?:\.\d{1,3}){3}[/:](?=\S)")
MAX_REMEMBERED = 100_000
_clean_words: set[str] = set()  # words the patterns found nothing in
_clean_lines: set[str] = set()  # lines made of such words


def clean(text: str) -> str:
    """`text` as the link check sees it: NFKC, no format or control characters."""
    return unicodedata.normalize("NFKC", text).translate(_cleaning())


@functools.cache
def _cleaning() -> dict[int, str | None]:
    """One str.translate table, built on first use (about 0.1 s): look-alike full stops become
    `.`, format characters (Cf) go, control characters (Cc) become a space when they are
    whitespace and go otherwise. One C-level pass instead of a category lookup per character."""
    table: dict[int, str | None] = dict.fromkeys(_DOT_POINTS, ".")
    for point in range(sys.maxunicode + 1):
        category = unicodedata.category(chr(point))
        if category == "Cf":
            table[point] = None
        elif category == "Cc":
            table[point] = " " if chr(point).isspace() else None
    return table


@functools.cache
def _to_clean() -> re.Pattern[str]:
    """Any character `clean` removes or replaces (whitespace aside: a word boundary either way),
    or any character beyond the BMP: one set of the BMP (a bitmap for the regex engine, about
    4 ns a character where the astral ranges made it 25), the rare astral text takes the full
    path."""
    points = sorted(p for p, to in _cleaning().items() if to != " " and p <= 0xFFFF)
    ranges: list[tuple[int, int]] = []
    for point in points:
        if ranges and ranges[-1][1] == point - 1:
            ranges[-1] = (ranges[-1][0], point)
        else:
            ranges.append((point, point))
    bmp = "".join(f"\\u{a:04x}-\\u{b:04x}" for a, b in ranges)
    return re.compile(f"[{bmp}\\U00010000-\\U0010ffff]")


def _surely_clean(text: str) -> bool:
    """True when `text` holds no link, proved word by word (see the module docstring); False
    means only that the full path must decide."""
    normal = unicodedata.normalize("NFKC", text)
    if _to_clean().search(normal):
        return False
    lines = set(normal.splitlines()) - _clean_lines
    if not lines:
        return True
    unseen = set(" ".join(lines).split()) - _clean_words
    if unseen:
        if _scan("\n".join(unseen)) is not None:
            return False
        _remember(_clean_words, unseen)
    _remember(_clean_lines, lines)
    return True


def find_link(text: str) -> str | None:
    """The first link-like piece of `text`, or None when it holds none."""
    if _surely_clean(text):
        return None
    return _scan(clean(text))


def _scan(cleaned: str) -> str | None:
    for pattern in (_SCHEME, _SLASHES, _WWW, _IPV4):
        found = pattern.search(cleaned)
        if found:
            return cleaned[found.start() : found.end() + 20].split()[0]
    for found in _DOMAIN.finditer(cleaned):
        if found.group("after") or found.group("tld").lower() in KNOWN_TLDS:
            return found.group(0)
    return None


def has_link(*texts: str | None) -> bool:
    return any(find_link(text) for text in texts if text)


_TAG = re.compile(r"<[^>]*>")
_LINK_ATTRIBUTE = re.compile(
    r"<[^>]*\b(?:href|src|srcset|action|formaction|background|poster|cite|data|xlink:href)\s*=",
    re.IGNORECASE,
)
_CSS_URL = re.compile(r"url\s*\(|@import", re.IGNORECASE)
_OPENED = re.compile(r"<[^>]*")
_clean_tags: set[str] = set()  # pieces `<…` (to the next `>`) with no link-carrying attribute


def find_link_in_html(html: str) -> str | None:
    """Like `find_link` for an HTML part: no link-carrying attribute, no CSS url(), no link text."""
    normal = unicodedata.normalize("NFKC", html)
    if not _to_clean().search(normal) and not _in_markup(normal):
        return find_link(_TAG.sub(" ", normal))  # as below: normal is what clean() would give
    cleaned = clean(html)
    for pattern in (_LINK_ATTRIBUTE, _CSS_URL):
        found = pattern.search(cleaned)
        if found:
            return found.group(0)
    return find_link(_TAG.sub(" ", cleaned))


def _in_markup(html: str) -> bool:
    """_LINK_ATTRIBUTE or _CSS_URL finds something in `html`. The attribute pattern never
    passes a `>`, so it matches exactly when one of the pieces from a `<` to the next `>`
    does: pieces found clean are remembered, like words."""
    # The pattern costs 15 µs a message: looked for only where it can match ("@" has no case
    # variants, and no character but u, r, l matches them ignoring case).
    if ("@" in html or "url" in html.lower()) and _CSS_URL.search(html):
        return True
    unseen = set(_OPENED.findall(html)) - _clean_tags
    if unseen:
        if _LINK_ATTRIBUTE.search(">".join(unseen)):
            return True
        _remember(_clean_tags, unseen)
    return False


def _remember(known: set[str], found_clean: set[str]) -> None:
    if len(known) > MAX_REMEMBERED:
        known.clear()
    known.update(found_clean)
