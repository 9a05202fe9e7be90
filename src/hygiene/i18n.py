"""Vietnamese-first message catalogue.

Every sentence a person reads is a key with a `vi` and an `en` text, kept in TOML files under
`hygiene/locales/` (one file per area, so features add their own file). `t()` falls back to
Vietnamese, then to the key itself, so a missing translation shows up instead of crashing.
"""

import tomllib
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache, lru_cache
from importlib import resources
from typing import Any

LOCALES = ("vi", "en")
DEFAULT_LOCALE = "vi"


@cache
def catalogue() -> dict[str, dict[str, str]]:
    merged: dict[str, dict[str, str]] = {}
    folder = resources.files("hygiene") / "locales"
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".toml"):
            continue
        for key, texts in _flatten(tomllib.loads(entry.read_text("utf-8"))).items():
            if key in merged:
                raise RuntimeError(f"message key {key} defined twice (second in {entry.name})")
            merged[key] = texts
    return merged


def _flatten(tree: dict[str, Any], prefix: str = "") -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    for name, value in tree.items():
        key = f"{prefix}{name}"
        if isinstance(value, dict) and "vi" in value and isinstance(value["vi"], str):
            out[key] = {loc: unicodedata.normalize("NFC", text) for loc, text in value.items()}
        elif isinstance(value, dict):
            out.update(_flatten(value, f"{key}."))
    return out


@dataclass(frozen=True)
class Phrase:
    """Part of a sentence, written in the locale of the sentence that holds it: a key and its
    parameters, passed to t() as a parameter (a configuration error's reason, for one)."""

    key: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        return t(self.key, "en", **self.params)


def t(key: str, locale: str = DEFAULT_LOCALE, /, **params: Any) -> str:
    """The text for `key` in `locale`, with `params` substituted: dates as dd/mm/yyyy, whole
    numbers as counts per locale ("1.234" / "1,234") unless their name is in NOT_COUNTS."""
    texts = catalogue().get(key)
    if texts is None:
        return key
    template = texts.get(locale) or texts[DEFAULT_LOCALE]
    shown = {name: _shown(name, value, locale) for name, value in params.items()}
    return template.format(**shown)


# Whole numbers that name a thing rather than count them: written as they are ("dòng 1234",
# "#1234", "2026"), never grouped.
NOT_COUNTS = frozenset(
    {"id", "ids", "seq", "line", "position", "codepoint", "revision", "before", "after",
     "year", "month", "day", "reference", "code", "port", "head", "score", "status", "upto",
     "column"}
)  # fmt: skip


def _shown(name: str, value: Any, locale: str) -> Any:
    """A parameter as a sentence shows it: counts per locale with Babel (1.234 / 1,234), a
    Phrase in the same locale."""
    if isinstance(value, Phrase):
        return t(value.key, locale, **value.params)
    if isinstance(value, int) and not isinstance(value, bool) and name not in NOT_COUNTS:
        return format_number(value, locale)
    return format_value(value)


def format_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, date):
        return format_date(value)
    return value


def format_date(value: date) -> str:
    return value.strftime("%d/%m/%Y")


def normalise_locale(value: str | None) -> str:
    if value and value.strip().lower()[:2] in LOCALES:
        return value.strip().lower()[:2]
    return DEFAULT_LOCALE


def format_number(value: float | int | None, locale: str = DEFAULT_LOCALE) -> str:
    """A number per locale with Babel: 12.345,5 in Vietnamese, 12,345.5 in English."""
    if value is None:
        return "—"
    return _decimal(value, normalise_locale(locale))


@lru_cache(maxsize=4096, typed=True)
def _decimal(value: float | int, locale: str) -> str:
    """Babel's format_decimal costs about 0.1 ms; messages repeat the same small counts."""
    from babel.numbers import format_decimal

    return format_decimal(value, locale=locale)


def format_percent(value: float | None, locale: str = DEFAULT_LOCALE, *, digits: int = 1) -> str:
    """A percentage given as 0-100, per locale with Babel: "61,1 %" in Vietnamese (a no-break
    space before the sign, as Vietnamese typesetting writes it; CLDR has none), "61.1%" in
    English."""
    if value is None:
        return "—"
    from babel.numbers import format_percent as babel_percent

    locale = normalise_locale(locale)
    sign = "\u00a0%" if locale == "vi" else "%"
    pattern = "#,##0" + ("." + "0" * digits if digits else "") + sign
    return babel_percent(value / 100, format=pattern, locale=locale)
