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
from array import array
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import accumulate, islice
from operator import le
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


def _write_chunk(lines: list[bytes], keys: BinaryIO, counts: BinaryIO, sizes: Counter[int]) -> None:
    sizes.update(int(line[:5], 16) for line in lines)
    array("Q", [int(line[5:21], 16) for line in lines]).tofile(keys)
    leaks = [int(line[41:]) for line in lines]
    if max(leaks, default=0) > MAX_COUNT:
        leaks = [min(n, MAX_COUNT) for n in leaks]
    array("I", leaks).tofile(counts)


def _table(sizes: Counter[int]) -> "array[int]":
    per_bucket = (sizes.get(b, 0) for b in range(1 << BUCKET_BITS))
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
    sizes: Counter[int] = Counter()
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
