"""Read a leaked-identifier list: CSV with a header, or one identifier per line; each entry in
clear or as a SHA-1 / SHA-256 hex digest. Pure: bytes in, normalised sets out.

Normalised forms: emails lower-cased; Vietnamese phone numbers in E.164 (+84…); other logins
lower-cased and stripped. A hashed entry is compared with the digest of those forms (for a phone,
of +84…, 84… and 0… alike). Lists often arrive as ``identifier:password`` combos: only the part
before the first ":" is read; the rest is dropped unread, never stored, logged or shown.
"""

import csv
import io
import re
from dataclasses import dataclass

from hygiene.errors import InvalidInput
from hygiene.inventory import values
from hygiene.inventory.values import fold_ascii

_HEX = re.compile(r"[0-9a-f]+")
_PHONE_LIKE = re.compile(r"\+?[0-9 .\-()]{9,20}")
COLUMNS = frozenset(
    {
        *("email", "e-mail", "mail", "thu dien tu", "phone", "dien thoai", "so dien thoai"),
        *("sdt", "login", "username", "user", "ten dang nhap", "identifier", "value"),
        *("hash", "sha1", "sha-1", "sha256", "sha-256"),
    }
)


@dataclass(frozen=True)
class Leaked:
    plain: frozenset[str]
    sha1: frozenset[str]
    sha256: frozenset[str]

    @property
    def entries(self) -> int:
        return len(self.plain) + len(self.sha1) + len(self.sha256)


def normalise(value: str) -> tuple[str, str]:
    """(class, normal form) of an identifier in clear: email, phone or login."""
    cleaned = value.strip().lower()
    if "@" in cleaned:
        return "email", cleaned
    if _PHONE_LIKE.fullmatch(cleaned):
        try:
            return "phone", values.phone(cleaned) or cleaned
        except values.FieldError:
            pass
    return "login", cleaned


def phone_forms(e164: str) -> tuple[str, ...]:
    """+84912345678 → itself, 84912345678 and 0912345678 (what a hashed list may have used)."""
    digits = e164.lstrip("+")
    national = "0" + digits[2:] if digits.startswith("84") else digits
    return (e164, digits, national)


def _header(row: list[str]) -> list[int] | None:
    named = [i for i, cell in enumerate(row) if fold_ascii(cell).strip().lower() in COLUMNS]
    return named or None


def _cells(text: str) -> list[str]:
    lines = text.splitlines()
    first = lines[0] if lines else ""
    if not any(sep in first for sep in ",;\t"):
        return [line for line in lines if not line.lstrip().startswith("#")]
    delimiter = max(",;\t", key=first.count)
    rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    wanted = _header(rows[0])
    if wanted is None:
        raise InvalidInput("exposures.no_column")
    return [row[i] for row in rows[1:] for i in wanted if i < len(row)]


def read(data: bytes) -> Leaked:
    """Every distinct identifier of the file, in normal form or as a lower-case digest."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidInput("exposures.encoding") from exc
    plain, sha1, sha256 = set(), set(), set()
    for cell in _cells(text):
        value = cell.split(":", 1)[0].strip()
        if not value:
            continue
        low = value.lower()
        if len(low) == 40 and _HEX.fullmatch(low):
            sha1.add(low)
        elif len(low) == 64 and _HEX.fullmatch(low):
            sha256.add(low)
        else:
            plain.add(normalise(value)[1])
    return Leaked(frozenset(plain), frozenset(sha1), frozenset(sha256))
