"""The breached-password index: a fixed-width, binary-searchable file read through mmap.

Why this structure and not a Bloom filter: the portal tells an official *how many* leaks a
password appears in, which needs a count per entry, and a sorted array answers "absent" with no
false-positive rate to state beyond the truncation below. It is also what an administrator can
check by hand (`breach-index info`).

Layout (little-endian, every region 8-byte aligned)::

    0      8 bytes   magic b"HYGBRX01"
    8      uint32    format version (1)
    12     uint32    bucket bits B (20: the first 5 hex digits of the SHA-1, the same prefix
                     Pwned Passwords' range API uses)
    16     uint64    entries N
    24     40 bytes  reserved (zero)
    64     (2^B + 1) × uint32   bucket table: entries of bucket b are [table[b], table[b+1])
    K      N × uint64           key: the 64 bits of the SHA-1 after the bucket prefix, ascending
    C      N × uint32           leak count of the entry at the same position (saturated at 2^32-1)

An entry is identified by the first 84 bits of the SHA-1 (B + 64). Two different passwords
share them with probability about N / 2^84 per lookup of an absent password (6·10^-17 for the
one billion entries of the full corpus): the answer "appears in N leaks" is exact in practice.
Size: 12 bytes per entry plus 4 MiB (1.2 GB for 100 million entries; the corpus file is ~45).

A lookup reads one pair of table words and bisects one bucket (~N / 2^20 keys, 7 probes at
100 million entries) through a memoryview cast to uint64: no parsing, no allocation, no I/O
beyond the pages touched. Nothing here opens a socket; the file is the only input.
"""

import hashlib
import mmap
import sys
from bisect import bisect_left
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from hygiene.errors import InvalidInput

MAGIC = b"HYGBRX01"
VERSION = 1
BUCKET_BITS = 20
HEADER_SIZE = 64
KEY_BITS = 64
MAX_COUNT = 0xFFFFFFFF
_KEY_MASK = (1 << KEY_BITS) - 1


def table_size(bucket_bits: int = BUCKET_BITS) -> int:
    """Bytes of the bucket table, padded to 8."""
    raw = 4 * ((1 << bucket_bits) + 1)
    return raw + (-raw % 8)


def keys_offset(bucket_bits: int = BUCKET_BITS) -> int:
    return HEADER_SIZE + table_size(bucket_bits)


def split_digest(digest: bytes) -> tuple[int, int]:
    """(bucket, key) of a 20-byte SHA-1: its first 20 bits, then the next 64."""
    head = int.from_bytes(digest[:11], "big")  # 88 bits
    return head >> (88 - BUCKET_BITS), (head >> (88 - BUCKET_BITS - KEY_BITS)) & _KEY_MASK


def header(entries: int) -> bytes:
    fixed = MAGIC + VERSION.to_bytes(4, "little") + BUCKET_BITS.to_bytes(4, "little")
    return (fixed + entries.to_bytes(8, "little")).ljust(HEADER_SIZE, b"\0")


@dataclass(frozen=True)
class IndexInfo:
    entries: int
    size_bytes: int
    bucket_bits: int


class BreachIndex:
    """An open index. Use as a context manager; `count` hashes the password in memory only."""

    def __init__(self, path: Path) -> None:
        if sys.byteorder != "little":  # the key array is read as native uint64
            raise InvalidInput("breach.index_big_endian")
        try:
            with path.open("rb") as file:
                self._map = mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ)
        except (OSError, ValueError) as exc:
            raise InvalidInput("breach.index_unreadable", path=str(path)) from exc
        self.info = self._check(path)
        self._view = view = memoryview(self._map)
        start = keys_offset()
        n = self.info.entries
        self._table = view[HEADER_SIZE : HEADER_SIZE + 4 * ((1 << BUCKET_BITS) + 1)].cast("I")
        self._keys = view[start : start + 8 * n].cast("Q")
        self._counts = view[start + 8 * n : start + 12 * n].cast("I")

    def _check(self, path: Path) -> IndexInfo:
        raw = self._map[:HEADER_SIZE]
        entries = int.from_bytes(raw[16:24], "little")
        bits = int.from_bytes(raw[12:16], "little")
        version = int.from_bytes(raw[8:12], "little")
        size = len(self._map)
        if raw[:8] != MAGIC or version != VERSION or bits != BUCKET_BITS:
            self._map.close()
            raise InvalidInput("breach.index_not_ours", path=str(path))
        if size != keys_offset() + 12 * entries:
            self._map.close()
            raise InvalidInput("breach.index_truncated", path=str(path))
        return IndexInfo(entries=entries, size_bytes=size, bucket_bits=bits)

    def count_digest(self, digest: bytes) -> int:
        """Leaks recorded for a SHA-1 digest; 0 when absent."""
        bucket, key = split_digest(digest)
        lo, hi = self._table[bucket], self._table[bucket + 1]
        found = bisect_left(self._keys, key, lo, hi)
        return self._counts[found] if found < hi and self._keys[found] == key else 0

    def count(self, password: str) -> int:
        """Leaks recorded for a password (SHA-1 of its UTF-8, as Pwned Passwords hashes it)."""
        digest = hashlib.sha1(password.encode("utf-8"), usedforsecurity=False).digest()
        return self.count_digest(digest)

    def close(self) -> None:
        for view in (self._table, self._keys, self._counts, self._view):
            view.release()
        self._map.close()

    def __enter__(self) -> "BreachIndex":
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()
