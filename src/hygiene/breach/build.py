"""Build a breach index (hygiene.breach.index) from a Pwned Passwords file, offline.

The input is the SHA-1 corpus ordered by hash, one ``HASH:COUNT`` line per password, as written
by Troy Hunt's PwnedPasswordsDownloader (``haveibeenpwned-downloader pwnedpasswords``) or the
older ordered-by-hash archives. Lower-case hex and CRLF line ends are accepted. The file is read
once, in 16 MiB chunks, so memory stays flat whatever its size; the index is written beside the
target and renamed into place at the end, so a failed build leaves no half index behind.

A line that is not ``40 hex digits : count``, or a hash that sorts before the previous one,
stops the build with the line number (an "ordered by prevalence" file must be sorted first).
"""

import os
import re
import shutil
import sys
from array import array
from binascii import unhexlify
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import accumulate, islice
from operator import itemgetter, le
from pathlib import Path
from typing import BinaryIO

from hygiene.breach.index import BUCKET_BITS, HEADER_SIZE, MAX_COUNT, header, keys_offset
from hygiene.errors import InvalidInput

CHUNK_BYTES = 16 * 1024 * 1024
_CHUNK = re.compile(rb"(?:[0-9A-F]{40}:[0-9]{1,20}\n)*")
_LINE = re.compile(rb"[0-9A-F]{40}:[0-9]{1,20}")
MAX_ENTRIES = 0xFFFFFFFF  # bucket table entries are uint32


@dataclass(frozen=True)
class BuildResult:
    entries: int
    size_bytes: int


def _chunks(source: Path) -> Iterator[bytes]:
    """Whole lines, normalised to upper case and LF, each chunk ending with a newline."""
    rest = b""
    with source.open("rb") as file:
        while block := file.read(CHUNK_BYTES):
            data = rest + block
            cut = data.rfind(b"\n") + 1
            data, rest = data[:cut], data[cut:]
            if data:
                yield data.replace(b"\r", b"").upper()
    if rest.strip():
        yield rest.replace(b"\r", b"").upper() + b"\n"


def _bad_line(lines: list[bytes], first_line: int) -> InvalidInput:
    for number, line in enumerate(lines, start=first_line):
        if not _LINE.fullmatch(line):
            return InvalidInput("breach.bad_line", line=number)
    return InvalidInput("breach.bad_line", line=first_line)


def _unsorted(lines: list[bytes], previous: bytes, first_line: int) -> InvalidInput | None:
    if previous and lines and lines[0] < previous:
        return InvalidInput("breach.not_sorted", line=first_line)
    if all(map(le, lines, islice(lines, 1, None))):
        return None
    for offset, (a, b) in enumerate(zip(lines, islice(lines, 1, None), strict=False)):
        if b < a:
            return InvalidInput("breach.not_sorted", line=first_line + offset + 1)
    return None  # pragma: no cover - all() said otherwise


_PREFIX = itemgetter(slice(0, 5))  # the bucket: the first 5 hex digits
_KEY = itemgetter(slice(5, 21))  # the next 16
_COUNT = itemgetter(slice(41, None))


def _write_chunk(
    lines: list[bytes], keys: BinaryIO, counts: BinaryIO, sizes: Counter[bytes]
) -> None:
    """One chunk's keys and counts, converted in C loops (map, join, unhexlify): no per-line
    Python frame, so a 100-million-line file builds in minutes."""
    sizes.update(map(_PREFIX, lines))
    packed = array("Q")
    packed.frombytes(unhexlify(b"".join(map(_KEY, lines))))
    if sys.byteorder == "little":
        packed.byteswap()  # unhexlify gave big-endian words
    packed.tofile(keys)
    try:
        leaks = array("I", map(int, map(_COUNT, lines)))
    except OverflowError:
        leaks = array("I", [min(int(n), MAX_COUNT) for n in map(_COUNT, lines)])
    leaks.tofile(counts)


def _table(sizes: Counter[bytes]) -> "array[int]":
    per_bucket = array("I", bytes(4 << BUCKET_BITS))
    for prefix, size in sizes.items():
        per_bucket[int(prefix, 16)] = size
    return array("I", accumulate(per_bucket, initial=0))


def build(*, source: Path, target: Path) -> BuildResult:
    """Read `source` once and write the index at `target` (replaced only when complete)."""
    partial = target.with_name(target.name + ".part")
    counts_path = target.with_name(target.name + ".counts")
    try:
        entries = _build_into(source, partial, counts_path)
        os.replace(partial, target)
    finally:
        for leftover in (partial, counts_path):
            leftover.unlink(missing_ok=True)
    return BuildResult(entries=entries, size_bytes=target.stat().st_size)


def _build_into(source: Path, partial: Path, counts_path: Path) -> int:
    sizes: Counter[bytes] = Counter()
    entries, previous = 0, b""
    with partial.open("wb") as out, counts_path.open("w+b") as counts:
        out.write(bytes(keys_offset()))
        for data in _chunks(source):
            lines = data[:-1].split(b"\n")
            if not _CHUNK.fullmatch(data):
                raise _bad_line(lines, entries + 1)
            problem = _unsorted(lines, previous, entries + 1)
            if problem is not None:
                raise problem
            _write_chunk(lines, out, counts, sizes)
            entries, previous = entries + len(lines), lines[-1]
        if entries > MAX_ENTRIES:
            raise InvalidInput("breach.too_many", count=entries)
        counts.seek(0)
        shutil.copyfileobj(counts, out, CHUNK_BYTES)
        out.seek(0)
        out.write(header(entries))
        out.seek(HEADER_SIZE)
        _table(sizes).tofile(out)
        out.flush()
        os.fsync(out.fileno())
    return entries
