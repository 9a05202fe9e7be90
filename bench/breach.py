"""Breached-password index benchmark: a synthetic Pwned Passwords file, built and looked up.

    .venv/bin/python bench/breach.py [--entries 100000000] [--lookups 200000] [--dir DIR] [--keep]

Generates (never downloads) an ordered-by-hash file of `--entries` random SHA-1 ``HASH:COUNT``
lines with a few known passwords among them, builds the index with `hygiene.breach.build`, then
measures single lookups with perf_counter_ns, half of them present and half absent:

  floor     a bare bisect over the same mmap'd key array with the bucket bounds and key already
            computed: no hashing, no method call; the irreducible cost of the structure here;
  lookup    BreachIndex.count_digest(digest) on the same digests (split, table, bisect, count);
  password  BreachIndex.count(password) for absent passwords: SHA-1 in memory, then lookup;
  check     hygiene.breach.check.check(...): open + mmap the file, look up, apply the context
            rules, close (what one portal or CLI strength check costs), absent passwords.

Prints p50 / p99 of each, their ratio to the floor, the file and index sizes, the generation
and build times. The page cache is warm (the build just wrote the file) and one untimed pass
over the digests maps the pages they touch, so the floor (timed first) does not pay the first
touch for the others; a cold lookup adds one or two page reads. Timer overhead is measured
and printed, not subtracted.
"""

import argparse
import hashlib
import os
import random
import shutil
import statistics
import tempfile
import time
from bisect import bisect_left
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from hygiene.breach import build as builder
from hygiene.breach.check import check
from hygiene.breach.context import Context
from hygiene.breach.index import BreachIndex, split_digest

T = TypeVar("T")

KNOWN = {"matkhau@123": 31_337, "123456": 37_359_195, "Huong1990": 12}
COUNTS = [str(n) for n in (1, 1, 1, 1, 2, 2, 3, 4, 7, 12, 40, 300)]


def generate(path: Path, entries: int, seed: int = 1) -> None:
    """Random SHA-1s in 65,536 groups by their first two bytes, each group sorted as raw bytes
    and hex-encoded in one call (bytes.hex with a separator), its count shared by the group:
    about a microsecond a line, so 100 million lines take minutes, not the half hour that a
    line-by-line f-string loop took. The known passwords go in with their own counts."""
    rng = random.Random(seed)
    known = {hashlib.sha1(w.encode(), usedforsecurity=False).digest(): c for w, c in KNOWN.items()}
    groups = 1 << 16
    per_group, extra = divmod(entries - len(known), groups)
    with path.open("wb", buffering=16 * 1024 * 1024) as out:
        for group in range(groups):
            n = per_group + (1 if group < extra else 0)
            prefix = group.to_bytes(2, "big")
            raw = rng.randbytes(18 * n)
            digests = [prefix + raw[i : i + 18] for i in range(0, 18 * n, 18)]
            mine = [d for d in known if d[:2] == prefix]
            digests += mine
            digests.sort()
            count = COUNTS[group % len(COUNTS)].encode()
            if mine:  # a handful of groups: line by line, so the known counts are exact
                lines = [f"{d.hex().upper()}:{known.get(d) or count.decode()}\n" for d in digests]
                out.write("".join(lines).encode())
            elif digests:
                text = b"".join(digests).hex("\n", 20).upper().encode()
                out.write(text.replace(b"\n", b":" + count + b"\n") + b":" + count + b"\n")


def percentile(samples: list[int], q: float) -> float:
    return statistics.quantiles(samples, n=1000)[int(q * 1000) - 1] / 1000  # ns → µs


def timed(call: Callable[[T], object], items: list[T]) -> list[int]:
    clock = time.perf_counter_ns
    out: list[int] = []
    for item in items:
        start = clock()
        call(item)
        out.append(clock() - start)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=100_000_000)
    parser.add_argument("--lookups", type=int, default=200_000)
    parser.add_argument("--dir", type=Path, default=None)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    folder = args.dir or Path(tempfile.mkdtemp(prefix="bench-breach-"))
    folder.mkdir(parents=True, exist_ok=True)
    corpus, index_path = folder / "pwned.txt", folder / "breach.idx"
    try:
        run(args, corpus, index_path)
    finally:
        if not args.keep:
            for path in (corpus, index_path):
                path.unlink(missing_ok=True)
            if args.dir is None:
                shutil.rmtree(folder)


def run(args: argparse.Namespace, corpus: Path, index_path: Path) -> None:
    started = time.perf_counter()
    generate(corpus, args.entries)
    generated = time.perf_counter() - started
    started = time.perf_counter()
    result = builder.build(source=corpus, target=index_path)
    built = time.perf_counter() - started
    print(
        f"entries {result.entries:,}  file {corpus.stat().st_size / 1e9:.2f} GB "
        f"(generated in {generated:.0f} s)  index {result.size_bytes / 1e9:.3f} GB "
        f"({result.size_bytes / result.entries:.2f} B/entry, built in {built:.0f} s, "
        f"{result.entries / built:,.0f} lines/s)"
    )
    rng = random.Random(2)
    present = [line.split(":")[0] for line in _sample_lines(corpus, args.lookups // 2, rng)]
    absent = [f"absent-{rng.getrandbits(64):x}" for _ in range(args.lookups // 2)]
    digests = [bytes.fromhex(h) for h in present] + [
        hashlib.sha1(w.encode(), usedforsecurity=False).digest() for w in absent
    ]
    measure(index_path, absent, digests)


def _sample_lines(corpus: Path, count: int, rng: random.Random) -> list[str]:
    size = corpus.stat().st_size
    out: list[str] = []
    with corpus.open("rb") as file:
        while len(out) < count:
            file.seek(rng.randrange(size))
            file.readline()
            line = file.readline().decode().strip()
            if line:
                out.append(line)
    return out


def measure(index_path: Path, words: list[str], digests: list[bytes]) -> None:
    context = Context(full_name="Nguyễn Thị Hương", employee_id="LC-00123", unit="UBND xã Bum Tở")
    with BreachIndex(index_path) as index:
        assert index.count("matkhau@123") == 31_337
        assert index.count(words[0]) == 0
        table, keys = index._table, index._keys  # the floor reads the same arrays bare
        prepared: list[tuple[int, int, int]] = []
        for digest in digests:
            bucket, key = split_digest(digest)
            prepared.append((table[bucket], table[bucket + 1], key))
        for digest in digests:  # warm: every page the timed passes touch is mapped once
            index.count_digest(digest)
        floor = timed(lambda p: bisect_left(keys, p[2], p[0], p[1]), prepared)
        lookup = timed(index.count_digest, digests)
        password = timed(index.count, words)
    per_check = timed(lambda w: check(w, index=index_path, context=context), words[:20_000])
    overhead = timed(lambda _: None, [None] * 100_000)
    print(f"timer overhead p50 {percentile(overhead, 0.5):.2f} µs (not subtracted)")
    base50, base99 = percentile(floor, 0.5), percentile(floor, 0.99)
    rows = [("floor", floor), ("lookup", lookup), ("password", password), ("check", per_check)]
    for name, samples in rows:
        p50, p99 = percentile(samples, 0.5), percentile(samples, 0.99)
        print(
            f"{name:8} n={len(samples):>7,}  p50 {p50:8.2f} µs  p99 {p99:8.2f} µs  "
            f"({p50 / base50:5.1f}× / {p99 / base99:5.1f}× the floor)"
        )


if __name__ == "__main__":
    os.nice(5)
    main()
