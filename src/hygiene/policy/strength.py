"""Password strength with zxcvbn, in memory only.

The password is evaluated and forgotten: the result carries the score, a rough crack time and
feedback in the reader's language, never the password. Inputs are capped at 72 characters
(zxcvbn 4.5 raises above that). zxcvbn runs with its l33t matching bounded
(hygiene.policy.l33t): the same scores, and a worst case in milliseconds instead of seconds.
The official's own details and a list of passwords common in Vietnam are given to zxcvbn as
user inputs, so "Huong1990" or
"matkhau@123" score as weak.
"""

from dataclasses import dataclass
from functools import cache
from importlib import resources

from hygiene import i18n
from hygiene.inventory.values import fold_ascii
from hygiene.policy import l33t

MAX_LENGTH = 72

# zxcvbn's English feedback → our catalogue keys (locales/strength.toml).
_FEEDBACK = {
    "Use a few words, avoid common phrases.": "few_words",
    "No need for symbols, digits, or uppercase letters.": "no_need_symbols",
    "Add another word or two. Uncommon words are better.": "add_word",
    "Straight rows of keys are easy to guess.": "rows",
    "Short keyboard patterns are easy to guess.": "short_pattern",
    "Use a longer keyboard pattern with more turns.": "longer_pattern",
    'Repeats like "aaa" are easy to guess.': "repeats",
    'Repeats like "abcabcabc" are only slightly harder to guess than "abc".': "repeats_words",
    "Avoid repeated words and characters.": "avoid_repeats",
    'Sequences like "abc" or "6543" are easy to guess.': "sequences",
    "Avoid sequences.": "avoid_sequences",
    "Recent years are easy to guess.": "recent_years",
    "Avoid recent years.": "avoid_recent_years",
    "Avoid years that are associated with you.": "avoid_your_years",
    "Dates are often easy to guess.": "dates",
    "Avoid dates and years that are associated with you.": "avoid_dates",
    "This is a top-10 common password.": "top10",
    "This is a top-100 common password.": "top100",
    "This is a very common password.": "very_common",
    "This is similar to a commonly used password.": "similar_common",
    "A word by itself is easy to guess.": "single_word",
    "Names and surnames by themselves are easy to guess.": "names_alone",
    "Common names and surnames are easy to guess.": "common_names",
    "Capitalization doesn't help very much.": "capitalization",
    "All-uppercase is almost as easy to guess as all-lowercase.": "uppercase",
    "Reversed words aren't much harder to guess.": "reversed",
    "Predictable substitutions like '@' instead of 'a' don't help very much.": "substitutions",
}


_UNITS = [
    ("century", 100 * 365 * 86400),
    ("year", 365 * 86400),
    ("month", 30 * 86400),
    ("day", 86400),
    ("hour", 3600),
    ("minute", 60),
    ("second", 1),
]


@dataclass(frozen=True)
class Strength:
    score: int  # 0 (guessable in seconds) … 4 (very strong)
    crack_seconds: float  # zxcvbn's estimate against an offline slow hash (10⁴ guesses/s)
    warning: str  # a message key, or "" when none
    suggestions: tuple[str, ...]  # message keys

    def crack_time(self, locale: str) -> str:
        """The estimate in words: "3 giờ" / "3 hours"."""
        for unit, size in _UNITS:
            if self.crack_seconds >= size:
                count = int(self.crack_seconds // size)
                if unit == "century" and count >= 100:
                    return i18n.t("strength.time.centuries", locale)
                return i18n.t(f"strength.time.{unit}", locale, n=count)
        return i18n.t("strength.time.instant", locale)

    def feedback(self, locale: str) -> list[str]:
        keys = ([self.warning] if self.warning else []) + list(self.suggestions)
        return [i18n.t(f"strength.fb.{key}", locale) for key in keys]


class TooLong(ValueError):
    pass


@cache
def vietnamese_common() -> tuple[str, ...]:
    text = (resources.files("hygiene") / "data" / "vi_common_passwords.txt").read_text("utf-8")
    return tuple(
        line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")
    )


def personal_inputs(*values: str | None) -> list[str]:
    """Name parts (with and without diacritics), email local part, phone digits, unit words."""
    out: list[str] = []
    for value in values:
        if not value:
            continue
        base = value.split("@")[0] if "@" in value else value
        for word in [base, *base.replace(".", " ").replace("-", " ").split()]:
            out.extend({word.lower(), fold_ascii(word).lower()})
        digits = "".join(ch for ch in value if ch.isdigit())
        if len(digits) >= 6:
            out.extend({digits, digits[-9:], "0" + digits[-9:]})
    return out


def evaluate(password: str, *, user_inputs: list[str] | None = None) -> Strength:
    """Score a password without keeping it. Raises TooLong above MAX_LENGTH characters."""
    if len(password) > MAX_LENGTH:
        raise TooLong(MAX_LENGTH)
    result = l33t.zxcvbn(password, [*(user_inputs or []), *vietnamese_common()])
    feedback = result["feedback"]
    return Strength(
        score=int(result["score"]),
        crack_seconds=float(result["crack_times_seconds"]["offline_slow_hashing_1e4_per_second"]),
        warning=_FEEDBACK.get(feedback["warning"], "other") if feedback["warning"] else "",
        suggestions=tuple(_FEEDBACK.get(s, "other") for s in feedback["suggestions"]),
    )
