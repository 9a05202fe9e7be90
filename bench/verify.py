"""Verification benchmark: `hygiene audit verify` over N compliance-log events.

    .venv/bin/python bench/verify.py [--events 1000000] [--database-url postgresql+psycopg://…]

Builds a valid chain of N events (hashes from hygiene.audit.service.compute_hash, inserted with
executemany), then measures in the same run:
  verify   audit.verify as the service runs it: the seq range cut in one range per CPU, each
           walked by its own process (Core rows, streaming cursor, precomputed HMAC);
  1 proc   the same walk in this process alone (workers=1);
  orm      the previous walk: ORM objects with yield_per and compute_hash per event, on the
           first --orm events (scaled);
  floor    the same rows fetched by the verifier's query and cursor in one process, nothing
           computed.
Targets: >= 250,000 events/s, 1M events < 4 s. On PostgreSQL the data lives in its own schema
(--schema, default bench_verify), dropped at the end: give each concurrent run its own.
"""

import argparse
import os
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from hygiene import db
from hygiene import models as _models  # noqa: F401
from hygiene.audit import ranges
from hygiene.audit import service as audit
from hygiene.audit.models import AuditEvent

sys.path.insert(0, str(Path(__file__).parent))
from inventory import drop_schema, fresh_engine

SCHEMA = "bench_verify"
KEY = b"k" * 32
DATA = audit.canonical_json({"changed": {"full_name": ["Nguyễn Văn A", "Nguyễn Văn Ánh"]}})


def build(engine: Engine, events: int) -> None:
    start, prev, rows = datetime(2026, 1, 1, tzinfo=UTC), audit.GENESIS, []
    for seq in range(1, events + 1):
        at = start + timedelta(seconds=seq, microseconds=seq % 1000)
        fields = {"actor": "cli:admin", "action": "official.update",
                  "subject": f"official:CB{seq}", "data": DATA}  # fmt: skip
        digest = audit.compute_hash(KEY, seq=seq, at=at, prev_hash=prev, **fields)
        rows.append({"seq": seq, "at": at, "prev_hash": prev, "hash": digest, **fields})
        prev = digest
        if len(rows) == 20_000 or seq == events:
            with engine.begin() as connection:
                connection.execute(db.table(AuditEvent).insert(), rows)
            rows = []


def run_verify(engine: Engine, workers: int | None) -> tuple[float, audit.Verification]:
    with db.read_session(engine) as session:
        started = time.perf_counter()
        result = audit.verify(session, key=KEY, workers=workers)
        return time.perf_counter() - started, result


def run_orm(engine: Engine, limit: int) -> float:
    with Session(engine) as session:
        query = select(AuditEvent).order_by(col(AuditEvent.seq)).limit(limit)
        started = time.perf_counter()
        for event in session.exec(query.execution_options(yield_per=5_000)):
            audit.compute_hash(KEY, seq=event.seq, at=event.at, actor=event.actor,
                               action=event.action, subject=event.subject, data=event.data,
                               prev_hash=event.prev_hash)  # fmt: skip
        return time.perf_counter() - started


def run_floor(engine: Engine) -> float:
    """The verifier's own query (time as text) and cursor (server-side on PostgreSQL)."""
    kind = engine.dialect.name
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor(name="bench_floor") if kind == "postgresql" else raw.cursor()
        started = time.perf_counter()
        cursor.execute(ranges.SQL[kind], (1, 2**62))
        while cursor.fetchmany(ranges.BATCH):
            pass
        took = time.perf_counter() - started
        cursor.close()
        raw.rollback()
    finally:
        raw.close()
    return took


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--orm", type=int, default=100_000, help="events for the ORM walk")
    parser.add_argument("--database-url", default=None, help="PostgreSQL URL (default: SQLite)")
    parser.add_argument("--schema", default=SCHEMA, help="PostgreSQL schema for the data")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        engine = fresh_engine(args.database_url, Path(folder), args.schema)
        started = time.perf_counter()
        build(engine, args.events)
        print(f"  … built in {time.perf_counter() - started:.1f} s", file=sys.stderr)
        try:
            verifies = [run_verify(engine, None) for _ in range(3)]
            singles = [run_verify(engine, 1) for _ in range(2)]
            orm = (
                run_orm(engine, min(args.orm, args.events))
                * args.events
                / min(args.orm, args.events)
            )
            floors = [run_floor(engine) for _ in range(3)]
        finally:
            engine.dispose()
            drop_schema(args.database_url, args.schema)
    took, result = min(verifies, key=lambda v: v[0])
    single = min(t for t, _ in singles)
    if any(not r.ok or r.count != args.events for _, r in verifies + singles):
        raise SystemExit(f"verification failed: {result}")
    floor = min(floors)
    backend = "postgresql" if args.database_url else "sqlite"
    print(f"backend={backend} events={args.events} cpus={os.cpu_count()} "
          f"load={' '.join(f'{x:.2f}' for x in os.getloadavg())}")  # fmt: skip
    print(f"verify (service):  {took:7.2f} s  {args.events / took:10,.0f} events/s   runs: "
          + ", ".join(f"{t:.2f}" for t, _ in verifies))  # fmt: skip
    print(f"verify (1 proc):   {single:7.2f} s  {args.events / single:10,.0f} events/s   runs: "
          + ", ".join(f"{t:.2f}" for t, _ in singles))  # fmt: skip
    print(f"orm walk (scaled): {orm:7.2f} s  {args.events / orm:10,.0f} events/s")
    print(f"floor (fetch only):{floor:7.2f} s  {args.events / floor:10,.0f} events/s")
    met = "met" if args.events / took >= 250_000 else "NOT met"
    print(f"verify / floor: {took / floor:.2f}x   speed-up over the ORM walk: {orm / took:.1f}x"
          f"   over 1 proc: {single / took:.2f}x"
          f"   target >= 250,000 events/s: {met}")  # fmt: skip


if __name__ == "__main__":
    main()
