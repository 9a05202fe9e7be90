"""zxcvbn's l33t substitutions, enumerated once per table and laid out per character.

zxcvbn 4.5 enumerates the substitutions of a password's l33t table (736 when every l33t
character is present) on every call, deduplicating them with a string label per substitution;
`substitutions` gives the same list in the same order, built with tuples and kept for the
last few tables (a repeated password is scored again on its base, with the same table).
`columns` gives, for each character of the lower-cased translated password, which
substitutions translate it to which character, as bit sets (bit n: the n-th substitution).
"""

from functools import lru_cache

Table = tuple[tuple[str, tuple[str, ...]], ...]  # (letter, its l33t characters), zxcvbn's order


def _grown(subs: list[tuple[tuple[str, str], ...]], letter: str, chars: tuple[str, ...]):  # type: ignore[no-untyped-def]
    """zxcvbn's helper step for one letter, then its dedup (same pairs, first kept)."""
    grown = []
    for char in chars:
        for sub in subs:
            at = next((n for n, (c, _) in enumerate(sub) if c == char), -1)
            if at == -1:
                grown.append((*sub, (char, letter)))
            else:
                grown += [sub, (*sub[:at], *sub[at + 1 :], (char, letter))]
    seen: set[frozenset[tuple[str, str]]] = set()
    kept = []
    for sub in grown:
        key = frozenset(sub)
        if key not in seen:
            seen.add(key)
            kept.append(sub)
    return kept


@lru_cache(maxsize=8)
def substitutions(table: Table) -> tuple[dict[str, str], ...]:
    """zxcvbn's enumerate_l33t_subs(table), up to its first empty substitution (zxcvbn's
    l33t_match stops there: there is one only when the table is empty)."""
    subs: list[tuple[tuple[str, str], ...]] = [()]
    for letter, chars in table:
        subs = _grown(subs, letter, chars)
    out: list[dict[str, str]] = []
    for sub in subs:
        if not sub:
            break
        out.append(dict(sub))
    return tuple(out)


@lru_cache(maxsize=8)
def _by_character(table: Table) -> dict[str, dict[str, int]]:
    """For each l33t character of the table: its translation → the substitutions giving it."""
    out: dict[str, dict[str, int]] = {char: {} for _, chars in table for char in chars}
    for n, sub in enumerate(substitutions(table)):
        for char, translations in out.items():
            to = sub.get(char, char).lower()
            translations[to] = translations.get(to, 0) | 1 << n
    return out


def clear() -> None:
    """Forget the kept tables (the benchmark and tests time a table's first check)."""
    substitutions.cache_clear()
    _by_character.cache_clear()


def columns(password: str, table: Table) -> list[dict[str, int]]:
    """Position by position in password.translate(sub).lower() for every substitution: each
    character found there → the bit set of the substitutions that put it there."""
    subs = substitutions(table)
    if "Σ" in password:  # the one character whose lower case depends on its neighbours
        texts = [password.translate({ord(k): v for k, v in sub.items()}).lower() for sub in subs]
        return [_column(texts, k) for k in range(max(map(len, texts)))]
    every, by_character = (1 << len(subs)) - 1, _by_character(table)
    out: list[dict[str, int]] = []
    for char in password:
        if char in by_character:
            out.append(by_character[char])
        else:  # the same in every translation (a lower case may be longer: "İ")
            out += [{lower: every} for lower in char.lower()]
    return out


def _column(texts: list[str], k: int) -> dict[str, int]:
    out: dict[str, int] = {}
    for n, text in enumerate(texts):
        if k < len(text):
            out[text[k]] = out.get(text[k], 0) | 1 << n
    return out
