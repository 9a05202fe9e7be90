"""Context-specific words (NIST SP 800-63B-4 §3.1.1.2): a new password must not be built from
the official's own details or the service's name. Pure: a password and a Context in, the rules
it breaks out, nothing kept.

Comparison is on a folded form: lower case, Vietnamese without diacritics (đ → d), every
character that is not a letter or digit dropped, and, for words, the usual substitutions undone
(@ → a, 0 → o, 1 → i, 3 → e, $ → s, 5 → s). A rule is broken when the password *contains* the
word, so "NguyenVanAn@1985" breaks "name" and "birth_year". Name parts shorter than three letters
("An", "Mí") are only matched inside the whole name, or they would refuse half the language.
Generic administrative words of a unit's name (phòng, UBND, xã…) are not context on their own.
"""

import re
from dataclasses import dataclass, field

from hygiene.inventory.values import fold_ascii

SERVICE_NAMES = ("hygiene",)
MIN_WORD = 3
_LEET = str.maketrans({"@": "a", "4": "a", "0": "o", "1": "i", "3": "e", "$": "s", "5": "s"})
_NOT_ALNUM = re.compile(r"[^a-z0-9]")
# Four digits alone, from 1940 to 2015: the birth years of officials in service.
_BIRTH_YEAR = re.compile(r"(?<![0-9])(?:19[4-9][0-9]|200[0-9]|201[0-5])(?![0-9])")
_GENERIC_UNIT_WORDS = frozenset(
    {
        *("ubnd", "uy", "ban", "nhan", "dan", "phong", "so", "xa", "huyen", "tinh", "thanh"),
        *("pho", "thi", "tran", "phuong", "trung", "tam", "van", "chi", "cuc", "doan", "hoi"),
        "dong",
    }
)


@dataclass(frozen=True)
class Context:
    """What a password for this official and this account must not contain."""

    full_name: str = ""
    employee_id: str = ""
    unit: str = ""
    login: str = ""
    system: str = ""  # the account the password is for ("Zalo", "Email công vụ")
    extra_service_names: tuple[str, ...] = field(default=())


def fold(value: str) -> str:
    return _NOT_ALNUM.sub("", fold_ascii(value).lower())


def _letters(value: str) -> str:
    return _NOT_ALNUM.sub("", fold_ascii(value).lower().translate(_LEET))


def _words(value: str, *, skip: frozenset[str] = frozenset()) -> set[str]:
    parts = {fold(part) for part in re.split(r"[\s.\-_@,/]+", value)}
    whole = fold(value)
    found = {p for p in parts if len(p) >= MIN_WORD and p not in skip}
    return found | ({whole} if len(whole) >= MIN_WORD else set())


def _rules(context: Context) -> dict[str, set[str]]:
    local = context.login.split("@")[0]
    services = [*SERVICE_NAMES, *context.extra_service_names, context.system]
    return {
        "name": _words(context.full_name),
        "employee_id": {w for w in {fold(context.employee_id)} if len(w) >= 4},
        "unit": _words(context.unit, skip=_GENERIC_UNIT_WORDS),
        "login": {w for w in _words(local) if len(w) >= 4},
        "service": set().union(*(_words(s) for s in services if s)),
    }


def refusals(password: str, context: Context) -> tuple[str, ...]:
    """The rules `password` breaks, in a fixed order: name, employee_id, unit, login, service,
    birth_year. Empty when none."""
    plain, letters = fold(password), _letters(password)
    broken = [
        rule
        for rule, words in _rules(context).items()
        if any(word in plain or word in letters for word in words)
    ]
    if _BIRTH_YEAR.search(fold_ascii(password)):
        broken.append("birth_year")
    return tuple(broken)
