"""A synthetic Pwned Passwords file: random hashes plus a few known passwords, ordered by hash."""

import hashlib
import random
from pathlib import Path


def sha1_hex(password: str) -> str:
    return hashlib.sha1(password.encode("utf-8"), usedforsecurity=False).hexdigest().upper()


def write_corpus(
    path: Path, known: dict[str, int], *, random_entries: int = 5_000, seed: int = 17
) -> Path:
    rng = random.Random(seed)  # noqa: S311 - test data
    lines = {sha1_hex(word): count for word, count in known.items()}
    while len(lines) < len(known) + random_entries:
        lines[f"{rng.getrandbits(160):040X}"] = rng.randint(1, 50_000)
    path.write_text("".join(f"{h}:{c}\n" for h, c in sorted(lines.items())), "ascii")
    return path
