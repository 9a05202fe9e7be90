"""SMS text: fold Vietnamese to the GSM-7 alphabet, and count segments. Pure functions.

GSM-7 (3GPP TS 23.038 default alphabet): 160 septets in one SMS, 153 per part once the text is
split (the user-data header takes 7). Characters of the extension table (`^{}\\[~]|€`, form feed)
cost two septets and are never split across parts. Anything outside GSM-7 makes the whole message
UCS-2: 70 UTF-16 units in one SMS, 67 per part, surrogate pairs kept whole.

Vietnamese with diacritics is not GSM-7, so a reminder in UCS-2 costs about 2.3× as many parts;
brandname SMS in Vietnam are usually sent folded to ASCII, which is the default here.
"""

import unicodedata
from dataclasses import dataclass
from typing import Literal

from hygiene.inventory.values import fold_ascii

Encoding = Literal["gsm7", "ucs2"]

GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = frozenset("\f^{}\\[~]|€")
SINGLE = {"gsm7": 160, "ucs2": 70}
PART = {"gsm7": 153, "ucs2": 67}

# Typography that messages use but GSM-7 lacks, replaced before counting so that one dash does not
# turn a whole reminder into UCS-2.
_PUNCTUATION = str.maketrans(
    {
        "–": "-",
        "—": "-",
        "‘": "'",
        "’": "'",
        "“": '"',
        "”": '"',
        "«": '"',
        "»": '"',
        "…": "...",
        "•": "-",
        "\u00a0": " ",
    }
)


@dataclass(frozen=True)
class SmsText:
    text: str
    encoding: Encoding
    segments: int


def prepare(text: str, *, unicode: bool) -> SmsText:
    """The text to send and what it costs. Without `unicode`, diacritics are folded away and any
    character still outside GSM-7 becomes "?", so the message is always GSM-7. With `unicode` the
    text is kept as written (NFC)."""
    cleaned = unicodedata.normalize("NFC", text).strip()
    if not unicode:
        folded = fold_ascii(cleaned.translate(_PUNCTUATION))
        cleaned = "".join(ch if _is_gsm7(ch) else "?" for ch in folded)
    encoding = encoding_of(cleaned)
    return SmsText(cleaned, encoding, count_segments(cleaned, encoding))


def _is_gsm7(ch: str) -> bool:
    return ch in GSM7_BASIC or ch in GSM7_EXTENSION


def encoding_of(text: str) -> Encoding:
    return "gsm7" if all(_is_gsm7(ch) for ch in text) else "ucs2"


def _units(ch: str, encoding: Encoding) -> int:
    if encoding == "gsm7":
        return 2 if ch in GSM7_EXTENSION else 1
    return 2 if ord(ch) > 0xFFFF else 1  # a surrogate pair in UTF-16


def count_segments(text: str, encoding: Encoding | None = None) -> int:
    """How many SMS parts `text` needs (0 for an empty text)."""
    chosen = encoding or encoding_of(text)
    units = [_units(ch, chosen) for ch in text]
    if sum(units) <= SINGLE[chosen]:
        return 1 if units else 0
    parts, used = 1, 0
    for size in units:
        if used + size > PART[chosen]:  # an escape or a surrogate pair is never split
            parts, used = parts + 1, 0
        used += size
    return parts
