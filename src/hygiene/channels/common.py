"""Helpers shared by the channel adapters: bilingual reasons and phone-number formats."""

import re
from typing import Any

from hygiene import i18n
from hygiene.channels.base import PermanentError

_E164 = re.compile(r"^\+[1-9]\d{7,14}$")


def bilingual(key: str, /, **params: Any) -> str:
    """A reason hygiene writes itself, in both languages ("vi / en"), for the delivery log."""
    return f"{i18n.t(key, 'vi', **params)} / {i18n.t(key, 'en', **params)}"


def international_digits(e164: str) -> str:
    """+84912345678 → 84912345678 (what SpeedSMS and Zalo expect). PermanentError if not E.164."""
    if not _E164.match(e164):
        raise PermanentError(bilingual("channel.bad_address", address=e164))
    return e164[1:]


def vietnamese_national(e164: str) -> str:
    """+84912345678 → 0912345678 (what eSMS expects); other countries are a PermanentError."""
    digits = international_digits(e164)
    if not digits.startswith("84"):
        raise PermanentError(bilingual("channel.not_vietnamese", address=e164))
    return "0" + digits[2:]
