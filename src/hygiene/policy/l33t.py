"""zxcvbn 4.5 with its l33t matching bounded; the same matches, so the same scores.

zxcvbn's `l33t_match` runs a full dictionary match of the whole password (every substring,
every dictionary) once per combination of substitutions. A 72-character string of l33t
characters has 736 combinations, each of ~2,600 substrings × 7 dictionaries: about 2 s of CPU.
Here a window stops growing once it is no dictionary word's prefix (no longer window can
match), and each window is walked once for every combination at the same time, the
combinations still agreeing with it kept as a bit set (hygiene.policy.l33t_subs); the plain and
reversed dictionary matchers stop at the prefixes too. Everything else is zxcvbn's own code,
called in the order `zxcvbn.zxcvbn` calls it, and every matcher here returns zxcvbn's matches
in zxcvbn's order (tests/policy/test_l33t_bound.py).
"""

import re
from functools import cache
from typing import Any

from zxcvbn import feedback, matching, scoring, time_estimates

from hygiene.policy import l33t_subs

_GREEDY, _LAZY = re.compile(r"(.+)\1+"), re.compile(r"(.+?)\1+")
_LAZY_ANCHORED = re.compile(r"^(.+?)\1+$")


@cache
def _builtin_prefixes() -> frozenset[str]:
    """Every prefix of every word of zxcvbn's own dictionaries (built once, ~94,000 words)."""
    return frozenset(
        w[:k] for name, d in matching.RANKED_DICTIONARIES.items() if name != "user_inputs"
        for w in d for k in range(1, len(w) + 1)
    )  # fmt: skip


def _user_prefixes(dictionaries: dict[str, dict[str, int]]) -> set[str]:
    return {w[:k] for w in dictionaries.get("user_inputs", {}) for k in range(1, len(w) + 1)}


def _match(password: str, i: int, j: int, word: str, name: str, rank: int, sub: dict[str, str]):  # type: ignore[no-untyped-def]
    token = password[i : j + 1]
    used = {k: v for k, v in sub.items() if k in token}
    return {
        "pattern": "dictionary", "i": i, "j": j, "token": token, "matched_word": word,
        "rank": rank, "dictionary_name": name, "reversed": False, "l33t": True, "sub": used,
        "sub_display": ", ".join(f"{k} -> {v}" for k, v in used.items()),
    }  # fmt: skip


def dictionary_match(
    password: str, dictionaries: dict[str, dict[str, int]]
) -> list[dict[str, Any]]:
    """zxcvbn's dictionary_match, in its order: a window stops growing once it is no word's
    prefix (zxcvbn tries every window against every dictionary)."""
    builtin, own = _builtin_prefixes(), _user_prefixes(dictionaries)
    lower, out = password.lower(), []
    for i in range(len(password)):
        for j in range(i, len(password)):
            word = lower[i : j + 1]
            if word not in builtin and word not in own:
                break
            for name, ranked in dictionaries.items():
                if word in ranked:
                    out.append({
                        "pattern": "dictionary", "i": i, "j": j, "token": password[i : j + 1],
                        "matched_word": word, "rank": ranked[word], "dictionary_name": name,
                        "reversed": False, "l33t": False,
                    })  # fmt: skip
    return out


def reverse_dictionary_match(
    password: str, dictionaries: dict[str, dict[str, int]]
) -> list[dict[str, Any]]:
    """zxcvbn's reverse_dictionary_match, with dictionary_match above."""
    matches = dictionary_match(password[::-1], dictionaries)
    last = len(password) - 1
    for match in matches:
        match["token"] = match["token"][::-1]
        match["reversed"] = True
        match["i"], match["j"] = last - match["j"], last - match["i"]
    return sorted(matches, key=lambda x: (x["i"], x["j"]))


def l33t_match(password: str, dictionaries: dict[str, dict[str, int]]) -> list[dict[str, Any]]:
    """zxcvbn's l33t_match: its matches, each once, in its order.

    zxcvbn matches the whole translated password once per substitution (736 of them when every
    l33t character is present). Here each window is walked once for all of them: the
    substitutions still agreeing with the translated window so far are a bit set (one bit each,
    in zxcvbn's order), a window stops growing once it is no word's prefix, and a window found
    is reported with the lowest bit still set, the first substitution producing it, as zxcvbn's
    first report of it is."""
    prefixes = (_builtin_prefixes(), _user_prefixes(dictionaries))
    relevant = matching.relevant_l33t_subtable(password, matching.L33T_TABLE)
    table = tuple((letter, tuple(chars)) for letter, chars in relevant.items())
    subs = l33t_subs.substitutions(table)
    if not subs:
        return []
    columns = l33t_subs.columns(password, table)
    end = min(len(columns), len(password))  # zxcvbn's windows end within the password
    found: list[tuple[int, int, int, str]] = []  # (i, j, first substitution, word)
    for i in range(len(password)):
        stack = [(i, "", (1 << len(subs)) - 1)]
        while stack:
            k, prefix, agreeing = stack.pop()
            for char, mask in columns[k].items():
                word, still = prefix + char, agreeing & mask
                if not still or (word not in prefixes[0] and word not in prefixes[1]):
                    continue
                if len(word) > 1 and password[i : k + 1].lower() != word:
                    found.append((i, k, (still & -still).bit_length() - 1, word))
                if k + 1 < end:
                    stack.append((k + 1, word, still))
    out: list[dict[str, Any]] = []
    for i, j, first, word in sorted(found, key=lambda f: f[:3]):
        for name, ranked in dictionaries.items():
            if word in ranked:
                out.append(_match(password, i, j, word, name, ranked[word], subs[first]))
    return out


def repeat_match(password: str, dictionaries: dict[str, dict[str, int]]) -> list[dict[str, Any]]:
    """zxcvbn's repeat_match, scoring the base token with this module's omnimatch."""
    matches: list[dict[str, Any]] = []
    last = 0
    while last < len(password):
        greedy, lazy = _GREEDY.search(password, pos=last), _LAZY.search(password, pos=last)
        if not greedy or not lazy:
            break
        if len(greedy.group(0)) > len(lazy.group(0)):
            found, base = greedy, _LAZY_ANCHORED.search(greedy.group(0)).group(1)  # type: ignore[union-attr]
        else:
            found, base = lazy, lazy.group(1)
        i, j = found.span()[0], found.span()[1] - 1
        analysis = scoring.most_guessable_match_sequence(base, omnimatch(base, dictionaries))
        matches.append({
            "pattern": "repeat", "i": i, "j": j, "token": found.group(0), "base_token": base,
            "base_guesses": analysis["guesses"], "base_matches": analysis["sequence"],
            "repeat_count": len(found.group(0)) / len(base),
        })  # fmt: skip
        last = j + 1
    return matches


def omnimatch(password: str, dictionaries: dict[str, dict[str, int]]) -> list[dict[str, Any]]:
    """zxcvbn's omnimatch, its matchers in its order (the sort below is stable)."""
    d = dictionaries
    matches = dictionary_match(password, d)
    matches += reverse_dictionary_match(password, d)
    matches += l33t_match(password, d)
    matches += matching.spatial_match(password, _ranked_dictionaries=d)
    matches += repeat_match(password, d)
    for matcher in (matching.sequence_match, matching.regex_match, matching.date_match):
        matches += matcher(password, _ranked_dictionaries=d)
    return sorted(matches, key=lambda x: (x["i"], x["j"]))


def zxcvbn(password: str, user_inputs: list[str]) -> dict[str, Any]:
    """zxcvbn.zxcvbn(password, user_inputs), with l33t_match above (no calc_time)."""
    dictionaries = matching.RANKED_DICTIONARIES
    # As zxcvbn does (its repeat matcher reads the module's dictionaries).
    dictionaries["user_inputs"] = matching.build_ranked_dict([str(u).lower() for u in user_inputs])
    matches = omnimatch(password, dictionaries)
    result: dict[str, Any] = scoring.most_guessable_match_sequence(password, matches)
    result.update(time_estimates.estimate_attack_times(result["guesses"]))
    result["feedback"] = feedback.get_feedback(result["score"], result["sequence"])
    return result
