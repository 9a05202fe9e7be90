"""Directory sync benchmark: N directory entries (FakeSource) into an inventory of M accounts.

    .venv/bin/python bench/sources.py [--accounts 1000000] [--officials 200000]
                                      [--entries 200000] [--database-url postgresql+psycopg://…]

Prints, measured in the same run on the same data (inventory from bench/plan.py's generator):
  sync   sources.service.run as the service runs it: staged upserts of every entry, then the
         set-based reads and UPDATE … FROM, moot reminders, findings, and the audit events
         (one per changed account + one per run), committed; every entry is a new rotation,
         the worst case;
  floor  the same staging (executemany of the same rows) and one UPDATE … FROM by hand on the
         raw connection: no change list, no audit;
the wall time and this process's CPU time of each (on a loaded machine the wall time moves
with the other work; on SQLite the CPU time is all the work, less I/O waits), and the peak RSS
of each. Each side runs in a child process of its own (a fresh copy of the
same populated database file on SQLite), so neither's memory or caches count for the other.
The directory is a source that yields its entries one at a time, as the LDAP and HTTP adapters
page them (the FakeSource of the tests holds a list). Goals: sync ≤ 2× floor, peak RSS ≤ 300 MB.
"""

import argparse
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine, text

sys.path.insert(0, str(Path(__file__).parent))
import plan
from hygiene import db
from hygiene.db import table
from hygiene.settings import Settings
from hygiene.sources import service, staging
from hygiene.sources.base import Closing, Observation
from hygiene.sources.models import SourceEntry
from plan import fresh_engine, populate

# A schema of its own on PostgreSQL: bench/plan.py's is dropped by every run of the benchmarks
# built on it, and two of them at once must not drop each other's tables.
SCHEMA = plan.SCHEMA = "bench_sources"
NOW = datetime(2026, 3, 2, 3, 0, tzinfo=UTC)
KEY = b"k" * 32


def entries(n: int) -> Iterator[Observation]:
    changed = NOW - timedelta(hours=1)
    return (Observation(identity=f"login{i}", password_changed_at=changed) for i in range(n))


class Directory(Closing):
    """A directory of `n` entries, read page by page as the adapters do: nothing held."""

    name = "d"

    def __init__(self, n: int) -> None:
        self.n = n

    def observe(self) -> Iterator[Observation]:
        return entries(self.n)


def settings_for(url: str) -> Settings:
    source = {"kind": "ad", "url": "ldaps://bench", "covers": ["Hệ thống 0"]}
    return Settings(database_url=url, secret_key="bench-secret-0123456789", sources={"d": source})  # noqa: S106


def run_sync(engine: Engine, settings: Settings, n: int) -> float:
    start = time.perf_counter()
    result = service.run(
        engine=engine, settings=settings, name="d", source=Directory(n),
        now=NOW, key=KEY, actor="bench",
    )  # fmt: skip
    took = time.perf_counter() - start
    print(f"  sync: {took:.2f} s, {result.matched} matched, {result.counts['rotation']} rotated")
    return took


def run_floor(engine: Engine, settings: Settings, n: int) -> float:
    config = settings.sources.entries["d"]
    start = time.perf_counter()
    made = (staging.row("f", config, o, settings.zone, 1, NOW) for o in entries(n))
    rows = [row for row in made if row is not None]
    update = (
        "UPDATE account SET last_rotated_on = source_entry.changed_on,"
        " rotation_source = 'directory:f', rotation_seen_at = source_entry.changed_at"
        " FROM source_entry WHERE source_entry.source = 'f'"
        " AND source_entry.match_key = lower(account.login) AND account.system = 'Hệ thống 0'"
        " AND source_entry.changed_on > coalesce(account.last_rotated_on, '1970-01-01')"
    )
    with engine.begin() as c:
        c.execute(table(SourceEntry).insert(), rows)
        done = c.execute(text(update)).rowcount
    took = time.perf_counter() - start
    print(f"  floor: {took:.2f} s, {done} rotated")
    return took


def child(args: argparse.Namespace) -> None:
    """One side, in this process: prints {"seconds": …, "peak_mb": …} as its last line."""
    url = args.database_url
    if url:
        engine = db.make_engine(url, connect_args={"options": f"-csearch_path={SCHEMA}"})
    else:
        engine = db.make_engine(f"sqlite:///{args.db_file}")
        url = str(engine.url)
    runner = run_floor if args.child == "floor" else run_sync
    cpu = time.process_time()
    seconds = runner(engine, settings_for(url), args.entries)
    cpu = time.process_time() - cpu
    engine.dispose()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "cpu": cpu, "peak_mb": peak}))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--accounts", type=int, default=1_000_000)
    parser.add_argument("--officials", type=int, default=200_000)
    parser.add_argument("--entries", type=int, default=200_000)
    parser.add_argument("--database-url")
    parser.add_argument("--child", choices=("floor", "sync"), help=argparse.SUPPRESS)
    parser.add_argument("--db-file", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return
    results: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as folder:
        template = Path(folder) / "template"
        if not args.database_url:
            engine = fresh_engine(None, template)
            populate(engine, args.accounts, args.officials)
            engine.dispose()
        for label in ("floor", "sync"):
            command = [sys.executable, __file__, "--child", label, "--entries", str(args.entries)]
            if args.database_url:  # a fresh schema, populated, for each side
                engine = fresh_engine(args.database_url, template)
                populate(engine, args.accounts, args.officials)
                engine.dispose()
                command += ["--database-url", args.database_url]
            else:
                copy = Path(folder) / f"{label}.db"
                shutil.copy(template / "plan.db", copy)
                command += ["--db-file", str(copy)]
            print(f"{label}: {args.entries} entries into {args.accounts} accounts", flush=True)
            done = subprocess.run(command, capture_output=True, text=True, check=True)
            lines = done.stdout.strip().splitlines()
            print("\n".join(lines[:-1]))
            results[label] = json.loads(lines[-1])
    floor, sync = results["floor"], results["sync"]
    print(
        f"sync / floor = {sync['seconds'] / floor['seconds']:.2f}x wall (goal ≤ 2x), "
        f"{sync['cpu'] / floor['cpu']:.2f}x CPU of this process ({sync['cpu']:.1f} s / "
        f"{floor['cpu']:.1f} s; on SQLite all the work, on PostgreSQL the client's share); "
        f"peak RSS: sync {sync['peak_mb']:.0f} MB (goal ≤ 300), floor {floor['peak_mb']:.0f} MB"
    )


if __name__ == "__main__":
    main()
