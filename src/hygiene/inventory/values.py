"""Pure parsers for the values an IT admin types into a spreadsheet.

Each returns the normalised value or raises FieldError, whose code names a message in the
catalogue, so the importer and the API report the same reason in the reader's language.
"""

import re
import unicodedata
from datetime import date, datetime
from typing import Any

_PHONE_NOISE = re.compile(r"[\s.\-()]")
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
    """Vietnamese numbers as 09…, 84…, +84… (spaces, dots, dashes allowed) → E.164."""
    raw = _PHONE_NOISE.sub("", str(value or ""))
    if not raw:
        return None
    if isinstance(value, int) and not raw.startswith(("0", "84")):
        raw = "0" + raw  # a spreadsheet that stored the number as a number dropped its 0
    if raw.startswith("+"):
        digits = raw[1:]
    elif raw.startswith("84") and len(raw) >= 11:
        digits = raw
    elif raw.startswith("0"):
        digits = "84" + raw[1:]
    else:
        raise FieldError("phone.invalid")
    if not digits.isdigit():
        raise FieldError("phone.invalid")
    if digits.startswith("84"):
        national = digits[2:]
        if not (9 <= len(national) <= 10) or national.startswith("0"):
            raise FieldError("phone.invalid")
    elif not 8 <= len(digits) <= 15:
        raise FieldError("phone.invalid")
    return "+" + digits


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


def kind(value: object, *, kinds: list[str]) -> str:
    raw = str(value or "").strip().lower()
    if raw not in kinds:
        raise FieldError("kind.invalid", allowed=", ".join(kinds))
    return raw


def fold_ascii(value: str) -> str:
    """Vietnamese without diacritics (đ → d), for SMS and password-guessing inputs."""
    decomposed = unicodedata.normalize("NFD", value.replace("đ", "d").replace("Đ", "D"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))
