"""zxcvbn 4.5 with its l33t matching bounded; the same matches, so the same scores.

zxcvbn's `l33t_match` runs a full dictionary match of the whole password (every substring,
every dictionary) once per combination of substitutions. A 72-character string of l33t
characters has hundreds of combinations, each of ~2,600 substrings × 7 dictionaries: about 2 s
of CPU. Two exact reductions remove that: a substring longer than the longest dictionary word
cannot match, and a translated substring already looked up (at the same place) gives the same
match whatever combination produced it (the substitutions used are those of its characters).
Everything else is zxcvbn's own code, called in the order `zxcvbn.zxcvbn` calls it.
"""

import re
from functools import cache
from typing import Any

from zxcvbn import feedback, matching, scoring, time_estimates

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


@cache
def _longest_builtin() -> int:
    return max(
        len(w) for name, d in matching.RANKED_DICTIONARIES.items() if name != "user_inputs"
        for w in d
    )  # fmt: skip


def l33t_match(password: str, dictionaries: dict[str, dict[str, int]]) -> list[dict[str, Any]]:
    """zxcvbn's l33t_match: a window stops growing once it is no word's prefix, and a
    translated window already looked up is not looked up again.

    Position by position, the substitutions whose translations agree on the next `longest`
    characters (the longest word) find the same windows there, so each distinct stretch is walked
    once, on behalf of the first substitution that produces it: zxcvbn's first, since a window
    is reported with the first substitution producing it and ties keep that order."""
    builtin, own = _builtin_prefixes(), _user_prefixes(dictionaries)
    longest = max(_longest_builtin(), *(len(w) for w in dictionaries.get("user_inputs", {})), 1)
    table = matching.relevant_l33t_subtable(password, matching.L33T_TABLE)
    subs: list[dict[str, str]] = []
    for sub in matching.enumerate_l33t_subs(table):
        if not sub:
            break
        subs.append(sub)
    # zxcvbn's translate, with str.translate (each key one character, no empty value)
    subbed = [password.translate({ord(k): v for k, v in sub.items()}).lower() for sub in subs]
    out: list[dict[str, Any]] = []
    for i in range(len(password)):
        stretches: dict[str, dict[str, str]] = {}
        for text, sub in zip(subbed, subs, strict=True):
            stretches.setdefault(text[i : i + longest], sub)
        seen: set[str] = set()
        for stretch, sub in stretches.items():
            for j in range(1, len(stretch) + 1):
                word = stretch[:j]
                if word not in builtin and word not in own:
                    break
                if j == 1 or word in seen:
                    continue  # tokens of one character are dropped by zxcvbn
                seen.add(word)
                if password[i : i + j].lower() == word:
                    continue  # only matches that contain an actual substitution
                for name, ranked in dictionaries.items():
                    if word in ranked:
                        out.append(_match(password, i, i + j - 1, word, name, ranked[word], sub))
    return sorted(out, key=lambda m: (m["i"], m["j"]))


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
    matches = matching.dictionary_match(password, _ranked_dictionaries=d)
    matches += matching.reverse_dictionary_match(password, _ranked_dictionaries=d)
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
