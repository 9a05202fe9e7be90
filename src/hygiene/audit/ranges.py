"""One range of the compliance log, walked the fast way, in this process or in a worker process.

Row i's hash covers its own fields and the previous hash *as stored in row i*, so a range of
rows can be checked without the rows before it: `scan` checks, inside its range, that the
numbers follow, that each row links to the row before it, and each row's hash (fast form; a
row that fails is only a *suspect*, checked again the exact way by hygiene.audit.verifier
before anything is reported). The first row's number and link are the caller's to check against
the end of the range before. `scan` stops at the first gap or broken link, or after
MAX_SUSPECTS suspects (the caller walks the rest itself).

A worker is `python -m hygiene.audit.ranges`: it reads what to check as JSON on stdin (the key
and, on PostgreSQL, the connection's password travel only there, never in argv or the
environment), opens its own read-only connection, scans and writes its Part as JSON on stdout.
This module imports only the standard library (psycopg inside the worker, on PostgreSQL), so a
worker starts in tens of milliseconds.
"""

import hashlib
import json
import os
import sqlite3
import subprocess
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

GENESIS = "0" * 64
BATCH = 20_000
MAX_SUSPECTS = 16
# How long the parent waits for a worker's Part before killing it and walking its range itself:
# generous (the fast walk does ~250,000 rows/s here; this allows 100 µs per row, 25x that).
WAIT_FLOOR = 60.0
WAIT_PER_ROW = 1e-4
COMMAND = [sys.executable, "-m", "hygiene.audit.ranges"]  # this interpreter, a fixed module
COLUMNS = "seq, {at}, actor, action, subject, data, prev_hash, hash"
# SQLite stores 'YYYY-MM-DD HH:MM:SS.ffffff' (UTC digits); PostgreSQL is asked for the same.
PG_AT = "to_char(timezone('UTC', at), 'YYYY-MM-DD HH24:MI:SS.US')"
_WHERE = "FROM audit_event WHERE seq BETWEEN {p} AND {p} ORDER BY seq"
SQL = {
    "sqlite": f"SELECT {COLUMNS.format(at='at')} {_WHERE.format(p='?')}",
    "postgresql": f"SELECT {COLUMNS.format(at=PG_AT)} {_WHERE.format(p='%s')}",
}


@dataclass
class Part:
    """What `scan` found in one range. `first`: (seq, prev_hash) of its first row (None: no row);
    `last`: (seq, hash) of the last row walked; `suspects`: (seq, previous hash) of the rows whose
    fast hash failed; `broken`: (count, head hash, seq, reason) at the first gap or broken link
    after the first row; `stopped`: MAX_SUSPECTS reached, the rows after `last` not walked."""

    first: tuple[int, str] | None = None
    last: tuple[int, str] | None = None
    suspects: list[tuple[int, str]] = field(default_factory=list)
    broken: tuple[int, str, int, str] | None = None
    stopped: bool = False

    @classmethod
    def from_json(cls, text: str) -> "Part":
        raw = json.loads(text)
        return cls(
            first=None if raw["first"] is None else (raw["first"][0], raw["first"][1]),
            last=None if raw["last"] is None else (raw["last"][0], raw["last"][1]),
            suspects=[(seq, prev) for seq, prev in raw["suspects"]],
            broken=None if raw["broken"] is None else _broken(*raw["broken"]),
            stopped=bool(raw["stopped"]),
        )


def _broken(count: int, head: str, seq: int, reason: str) -> tuple[int, str, int, str]:
    return count, head, seq, reason


def pads(key: bytes) -> tuple[Any, Any]:
    """HMAC-SHA256's inner and outer states for `key`: a row costs two copies, no key set-up."""
    block = hashlib.sha256(key).digest() if len(key) > 64 else key
    block = block.ljust(64, b"\0")
    inner = hashlib.sha256(bytes(b ^ 0x36 for b in block))
    outer = hashlib.sha256(bytes(b ^ 0x5C for b in block))
    return inner, outer


def scan(cursor: Any, key: bytes, batch: int = BATCH) -> Part:
    """Walk the rows of an executed range query (see SQL), the fast way."""
    part, rows = Part(), cursor.fetchmany(batch)
    if not rows:
        return part
    inner, outer = pads(key)
    icopy, ocopy, suspects = inner.copy, outer.copy, part.suspects
    expected, prev = rows[0][0], rows[0][6]
    part.first = (expected, prev)
    while rows:
        for seq, at, actor, action, subject, data, prev_hash, digest in rows:
            if seq != expected or prev_hash != prev:
                reason = "link" if seq == expected else "gap" if seq > expected else "order"
                part.broken = (expected - 1, prev, min(seq, expected), reason)
                part.last = (expected - 1, prev)
                return part
            number = str(seq)
            h = icopy()
            h.update(
                f"{len(number)}:{number};32:{at[:10]}T{at[11:]}+00:00;"
                f"{len(actor)}:{actor};{len(action)}:{action};{len(subject)}:{subject};"
                f"{len(data)}:{data};64:{prev};".encode()
            )
            o = ocopy()
            o.update(h.digest())
            if o.hexdigest() != digest:
                suspects.append((seq, prev))
                if len(suspects) == MAX_SUSPECTS:
                    part.last, part.stopped = (seq, digest), True
                    return part
            prev, expected = digest, expected + 1
        rows = cursor.fetchmany(batch)
    part.last = (expected - 1, prev)
    return part


def start(job: dict[str, Any]) -> "subprocess.Popen[bytes]":
    """A worker scanning `job` (kind, target, search_path, key, lo, hi), sent on its stdin."""
    source = str(Path(__file__).resolve().parents[2])  # the folder holding the hygiene package
    path = os.pathsep.join(filter(None, [source, os.environ.get("PYTHONPATH")]))
    env = {**os.environ, "PYTHONPATH": path}
    worker = subprocess.Popen(  # noqa: S603  (COMMAND: a fixed argv, no shell)
        COMMAND,
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env,
    )  # fmt: skip
    if worker.stdin is not None:  # always, with PIPE; the job is small: no deadlock
        worker.stdin.write(json.dumps(job).encode())
        worker.stdin.close()
        worker.stdin = None  # sent: communicate() has nothing more to write
    return worker


def allowance(rows: int) -> float:
    """Seconds a worker scanning `rows` rows may take before it counts as hung."""
    return WAIT_FLOOR + WAIT_PER_ROW * rows


def result(worker: "subprocess.Popen[bytes]", timeout: float | None = None) -> Part | None:
    """The worker's Part, or None when it failed or did not answer within `timeout` seconds
    (then it is killed; the caller scans that range itself)."""
    try:
        out, _ = worker.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        stop(worker)
        return None
    if worker.returncode != 0 or not out:
        return None
    try:
        return Part.from_json(out.decode())
    except (ValueError, KeyError, TypeError):
        return None


def stop(worker: "subprocess.Popen[bytes]") -> int:
    """End a worker whose result is no longer wanted (killed if it still runs): its exit code."""
    if worker.poll() is None:
        worker.kill()
    if worker.stdout is not None:
        worker.stdout.close()
    return worker.wait()


def _connect(job: dict[str, Any]) -> Any:
    if job["kind"] == "sqlite":
        return sqlite3.connect(f"file:{quote(job['target'])}?mode=ro", uri=True)
    import psycopg

    connection = psycopg.connect(job["target"])
    connection.read_only = True
    connection.execute("SELECT set_config('search_path', %s, false)", [job["search_path"]])
    return connection


def main() -> None:
    job = json.loads(sys.stdin.buffer.read())
    connection = _connect(job)
    try:
        pg = job["kind"] == "postgresql"
        cursor = connection.cursor(name="hygiene_audit_range") if pg else connection.cursor()
        cursor.execute(SQL[job["kind"]], (job["lo"], job["hi"]))
        part = scan(cursor, bytes.fromhex(job["key"]))
        cursor.close()
    finally:
        connection.close()
    sys.stdout.write(json.dumps(asdict(part)))


if __name__ == "__main__":
    main()
