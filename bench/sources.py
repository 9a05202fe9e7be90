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
and the peak RSS of the process. Goals: sync ≤ 2× floor, peak RSS ≤ 300 MB.
"""

import argparse
import resource
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine, insert, text

sys.path.insert(0, str(Path(__file__).parent))
from hygiene.settings import Settings
from hygiene.sources import service, staging
from hygiene.sources.base import Observation
from hygiene.sources.fake import FakeSource
from hygiene.sources.models import SourceEntry
from plan import fresh_engine, populate

NOW = datetime(2026, 3, 2, 3, 0, tzinfo=UTC)
KEY = b"k" * 32


def entries(n: int) -> list[Observation]:
    changed = NOW - timedelta(hours=1)
    return [Observation(identity=f"login{i}", password_changed_at=changed) for i in range(n)]


def settings_for(url: str) -> Settings:
    source = {"kind": "ad", "url": "ldaps://bench", "covers": ["Hệ thống 0"]}
    return Settings(database_url=url, secret_key="bench-secret-0123456789", sources={"d": source})  # noqa: S106


def run_sync(engine: Engine, settings: Settings, n: int) -> float:
    start = time.perf_counter()
    result = service.run(
        engine=engine, settings=settings, name="d", source=FakeSource("d", entries(n)),
        now=NOW, key=KEY, actor="bench",
    )  # fmt: skip
    took = time.perf_counter() - start
    print(f"  sync: {took:.2f} s, {result.matched} matched, {result.counts['rotation']} rotated")
    return took


def run_floor(engine: Engine, settings: Settings, n: int) -> float:
    config = settings.sources.entries["d"]
    start = time.perf_counter()
    found = (staging.row("f", config, o, settings.zone, 1, NOW) for o in entries(n))
    rows = [row for row in found if row is not None]
    update = (
        "UPDATE account SET last_rotated_on = source_entry.changed_on,"
        " rotation_source = 'directory:f', rotation_seen_at = source_entry.changed_at"
        " FROM source_entry WHERE source_entry.source = 'f'"
        " AND source_entry.match_key = lower(account.login) AND account.system = 'Hệ thống 0'"
        " AND source_entry.changed_on > coalesce(account.last_rotated_on, '1970-01-01')"
    )
    with engine.begin() as c:
        c.execute(insert(SourceEntry), rows)
        done = c.execute(text(update)).rowcount
    took = time.perf_counter() - start
    print(f"  floor: {took:.2f} s, {done} rotated")
    return took


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--accounts", type=int, default=1_000_000)
    parser.add_argument("--officials", type=int, default=200_000)
    parser.add_argument("--entries", type=int, default=200_000)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        for label, runner in (("floor", run_floor), ("sync", run_sync)):
            engine = fresh_engine(args.database_url, Path(folder) / label)
            url = args.database_url or str(engine.url)
            populate(engine, args.accounts, args.officials)
            print(f"{label}: {args.entries} entries into {args.accounts} accounts")
            times = runner(engine, settings_for(url), args.entries)
            if label == "floor":
                floor = times
            else:
                sync = times
            engine.dispose()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"sync / floor = {sync / floor:.2f}x (goal ≤ 2x); peak RSS {peak:.0f} MB (goal ≤ 300)")


if __name__ == "__main__":
    main()
