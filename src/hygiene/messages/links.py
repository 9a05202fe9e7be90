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


def find_link(text: str) -> str | None:
    """The first link-like piece of `text`, or None when it holds none."""
    cleaned = clean(text)
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


def find_link_in_html(html: str) -> str | None:
    """Like `find_link` for an HTML part: no link-carrying attribute, no CSS url(), no link text."""
    cleaned = clean(html)
    for pattern in (_LINK_ATTRIBUTE, _CSS_URL):
        found = pattern.search(cleaned)
        if found:
            return found.group(0)
    return find_link(_TAG.sub(" ", cleaned))
