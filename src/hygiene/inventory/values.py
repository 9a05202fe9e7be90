"""Pure parsers for the values an IT admin types into a spreadsheet.

Each returns the normalised value or raises FieldError, whose code names a message in the
catalogue, so the importer and the API report the same reason in the reader's language.
"""

import re
import unicodedata
from datetime import date, datetime
from functools import lru_cache
from typing import Any

import phonenumbers

_PHONE_NOISE = re.compile(r"[\s.\-()]")
_PHONE_CHARS = re.compile(r"\+?[\d\s.\-()]+")
_MOBILE_TYPES = (
    phonenumbers.PhoneNumberType.MOBILE,
    phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
)
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_VN_DATE = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})$")
_TRUE = {"yes", "y", "có", "co", "true", "1", "x", "bật", "bat", "on"}
_FALSE = {"no", "n", "không", "khong", "false", "0", "", "tắt", "tat", "off"}


class FieldError(ValueError):
    def __init__(self, code: str, **params: Any) -> None:
        self.code = code
        self.params = params
        super().__init__(code)


def text(value: object, *, max_length: int, required: bool = True) -> str:
    cleaned = unicodedata.normalize("NFC", " ".join(str(value or "").split()))
    if required and not cleaned:
        raise FieldError("value.required")
    if len(cleaned) > max_length:
        raise FieldError("value.too_long", max=max_length)
    return cleaned


def phone(value: object) -> str | None:
    """A phone number in any usual Vietnamese spelling (09…, 84…, +84…, 024 …) → E.164.

    Parsed and validated with `phonenumbers` (Vietnam as the default region), so a number of the
    wrong length or an unassigned prefix is refused here rather than by the SMS gateway."""
    raw = str(value or "").strip()
    if not raw:
        return None
    if isinstance(value, int) and not raw.startswith(("0", "84")):
        raw = "0" + raw  # a spreadsheet that stored the number as a number dropped its 0
    if not _PHONE_CHARS.fullmatch(raw):
        raise FieldError("phone.invalid")
    digits = _PHONE_NOISE.sub("", raw)
    if digits.startswith("84") and len(digits) >= 11:
        digits = "+" + digits  # 84912345678: the country code without its +
    found = _parsed(digits)
    if found is None:
        raise FieldError("phone.invalid")
    if len(_MOBILE) > _REMEMBERED:
        _MOBILE.clear()
    _MOBILE[found[0]] = found[1]
    return found[0]


# An official's phone is on each of their rows, and parsing costs ~1 ms: remember recent ones.
_REMEMBERED = 1 << 16
_MOBILE: dict[str, bool] = {}  # E.164 → is mobile, filled by phone()


@lru_cache(maxsize=_REMEMBERED)
def _parsed(digits: str) -> tuple[str, bool] | None:
    """(E.164, is mobile) of a valid number, else None."""
    try:
        number = phonenumbers.parse(digits, "VN")
    except phonenumbers.NumberParseException:
        return None
    # is_valid_number(n) is number_type(n) != UNKNOWN (both match n against its own region's
    # patterns): one call instead of two matches every pattern once.
    kind = phonenumbers.number_type(number)
    if kind == phonenumbers.PhoneNumberType.UNKNOWN:
        return None
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return e164, kind in _MOBILE_TYPES


def is_mobile(e164: str) -> bool:
    """Whether an E.164 number can receive SMS: a mobile number, not a landline."""
    known = _MOBILE.get(e164)
    if known is not None:
        return known
    found = _parsed(e164)
    return found is not None and found[1]


def employee_id(value: object) -> str:
    """NFKC-normalised; letters, digits and - _ . / only, all letters from one script.

    Refuses what a person cannot see or tell apart: zero-width and control characters, and a
    look-alike letter from another script (a Cyrillic М among Latin letters)."""
    return _employee_id(str(value if value is not None else ""))


@lru_cache(maxsize=1 << 16)  # an official's id is on each of their rows
def _employee_id(value: str) -> str:
    raw = unicodedata.normalize("NFKC", value).strip()
    if not raw:
        raise FieldError("value.required")
    if len(raw) > 64:
        raise FieldError("value.too_long", max=64)
    for position, char in enumerate(raw, start=1):
        if char != " " and unicodedata.category(char)[0] in "CZ":
            raise FieldError(
                "employee_id.invisible", position=position, codepoint=f"U+{ord(char):04X}"
            )
        if not (char.isalnum() or char in "-_./"):
            raise FieldError("employee_id.bad_char", position=position, char=char)
    scripts = sorted({_script(c) for c in raw if c.isalpha()})
    if len(scripts) > 1:
        raise FieldError("employee_id.mixed_script", scripts=", ".join(scripts))
    return raw


def _script(char: str) -> str:
    """The script of a letter, from its Unicode name ("CYRILLIC CAPITAL LETTER EM")."""
    return unicodedata.name(char, "UNKNOWN").split(" ", 1)[0]


def email(value: object) -> str | None:
    cleaned = str(value or "").strip().lower()
    if not cleaned:
        return None
    if len(cleaned) > 254 or not _EMAIL.match(cleaned):
        raise FieldError("email.invalid")
    return cleaned


def parse_date(value: object, *, today: date | None = None) -> date | None:
    """dd/mm/yyyy (also with . or -) or ISO yyyy-mm-dd; spreadsheets may hand us a date."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        parsed = value.date()
    elif isinstance(value, date):
        parsed = value
    else:
        raw = str(value).strip()
        if not raw:
            return None
        try:
            if _ISO_DATE.match(raw):
                parsed = date.fromisoformat(raw)
            elif match := _VN_DATE.match(raw):
                day, month, year = (int(part) for part in match.groups())
                parsed = date(year, month, day)
            else:
                raise FieldError("date.invalid")
        except ValueError as exc:
            if isinstance(exc, FieldError):
                raise
            raise FieldError("date.invalid") from None
    if today is not None and parsed > today:
        raise FieldError("date.future")
    return parsed


def yes_no(value: object) -> bool:
    if isinstance(value, bool):
        return value
    raw = unicodedata.normalize("NFC", str(value if value is not None else "").strip().lower())
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    raise FieldError("bool.invalid")


def locale(value: object, *, default: str) -> str:
    raw = str(value or "").strip().lower()
    if not raw:
        return default
    aliases = {
        "vi": "vi",
        "vn": "vi",
        "tiếng việt": "vi",
        "tieng viet": "vi",
        "en": "en",
        "english": "en",
        "tiếng anh": "en",
    }
    if raw in aliases:
        return aliases[raw]
    raise FieldError("locale.invalid")


def fold_ascii(value: str) -> str:
    """Vietnamese without diacritics (đ → d), for SMS and password-guessing inputs."""
    decomposed = unicodedata.normalize("NFD", value.replace("đ", "d").replace("Đ", "D"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))
