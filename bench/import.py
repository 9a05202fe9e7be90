"""Import benchmark: N spreadsheet rows through `hygiene import`'s streaming path.

Prints, from one run: the import's time and peak RSS, a re-import of the same file (nothing
changes), and the floor: the same rows read from the same CSV and written with a bare set-based
insert (executemany in chunks, no validation, diff or audit). Each step runs in a fresh child
process, so each peak RSS is that step's own. The ratio import / floor is what validation, the
diff and the audit chain cost on top of writing the rows at all.

    .venv/bin/python bench/import.py [--rows 1000000] [--database-url postgresql+psycopg://…]
"""

import argparse
import csv
import json
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, bindparam, insert, text

from hygiene import db
from hygiene import models as _models  # noqa: F401
from hygiene.audit import service as audit
from hygiene.inventory import importer
from hygiene.inventory.kinds import KindNames
from hygiene.inventory.models import Account, Official, Unit
from hygiene.inventory.schemas import ValidationContext
from hygiene.settings import default_policies

TODAY = date(2026, 3, 2)
HEADER = [c for c in importer.COLUMNS if c != "unit_head"]
KINDS = ["email", "messaging", "social", "government"]
CHUNK = 10_000


def make_csv(path: Path, rows: int) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for n in range(rows):
            official = n // 4
            writer.writerow(
                [
                    f"CB{official:07d}",
                    f"Nguyễn Văn Số {official}",
                    f"Đơn vị {official % 40}",
                    f"cb{official}@xa.example",
                    f"09{official % 100_000_000:08d}",
                    "vi",
                    f"Hệ thống {n % 4}",
                    KINDS[n % 4],
                    f"login{n}",
                    (TODAY - timedelta(days=n % 200)).strftime("%d/%m/%Y"),
                    "có" if n % 3 else "không",
                ]
            )


def engine_for(url: str | None, folder: Path, name: str, *, fresh: bool) -> Engine:
    if url:
        schema = f"bench_import_{name}"
        if fresh:
            engine = db.make_engine(url)
            with engine.begin() as connection:
                connection.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
                connection.execute(text(f"CREATE SCHEMA {schema}"))
            engine.dispose()
        engine = db.make_engine(url, connect_args={"options": f"-csearch_path={schema}"})
    else:
        engine = db.make_engine(f"sqlite:///{folder / name}.db")
    if fresh:
        db.upgrade(engine)
    return engine


def run_import(engine: Engine, path: Path) -> dict[str, Any]:
    context = ValidationContext(today=TODAY, kinds=KindNames.from_policies(default_policies()))
    with db.session_scope(engine) as session:
        result = importer.import_file(
            session, path, context=context, key=b"k" * 32, now=datetime.now(UTC), actor="bench"
        )
    with db.session_scope(engine) as session:
        events = audit.count(session)
    return {"created": result.accounts_created, "events": events}


def _chunks(reader: Iterator[dict[str, str]]) -> Iterator[list[dict[str, str]]]:
    chunk: list[dict[str, str]] = []
    for row in reader:
        chunk.append(row)
        if len(chunk) >= CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def run_floor(engine: Engine, path: Path) -> dict[str, Any]:
    """Read the same CSV and insert units, officials and accounts with bare executemany."""
    now = datetime.now(UTC)
    units: dict[str, int] = {}
    officials: dict[str, int] = {}
    with path.open(encoding="utf-8") as handle, engine.begin() as connection:
        for chunk in _chunks(csv.DictReader(handle)):
            new_units = sorted({r["unit"] for r in chunk} - units.keys())
            if new_units:
                connection.execute(
                    insert(Unit), [{"name": u, "created_at": now} for u in new_units]
                )
                units = dict(connection.execute(text("SELECT name, id FROM unit")).tuples().all())
            people = {r["employee_id"]: r for r in chunk if r["employee_id"] not in officials}
            connection.execute(
                insert(Official),
                [
                    {
                        "employee_id": e,
                        "full_name": r["full_name"],
                        "unit_id": units[r["unit"]],
                        "email": r["email"],
                        "phone": r["phone"],
                        "locale": "vi",
                        "active": True,
                        "preferred_channels": "email,sms",
                        "created_at": now,
                        "updated_at": now,
                    }
                    for e, r in people.items()
                ],
            )
            query = text("SELECT employee_id, id FROM official WHERE employee_id IN :ids")
            query = query.bindparams(bindparam("ids", expanding=True))
            officials.update(connection.execute(query, {"ids": list(people)}).tuples().all())
            connection.execute(
                insert(Account),
                [
                    {
                        "official_id": officials[r["employee_id"]],
                        "system": r["system"],
                        "kind": r["kind"],
                        "login": r["login"],
                        "last_rotated_on": None,
                        "mfa": False,
                        "browser_saved": False,
                        "created_at": now,
                        "updated_at": now,
                    }
                    for r in chunk
                ],
            )
    return {}


def child(step: str, url: str | None, folder: Path, path: Path) -> None:
    """One measured step in this (fresh) process; prints its figures as JSON."""
    name = "floor" if step == "floor" else "import"
    engine = engine_for(url, folder, name, fresh=step != "reimport")
    before = resource.getrusage(resource.RUSAGE_SELF)
    cpu_before = before.ru_utime + before.ru_stime
    started = time.perf_counter()
    figures = run_floor(engine, path) if step == "floor" else run_import(engine, path)
    seconds = time.perf_counter() - started
    engine.dispose()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    cpu = usage.ru_utime + usage.ru_stime - cpu_before
    peak_mb = usage.ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "cpu": cpu, "peak_mb": peak_mb, **figures}))


def measure(step: str, url: str | None, folder: Path, path: Path) -> dict[str, Any]:
    command = [sys.executable, __file__, "--child", step, "--folder", str(folder)]
    command += ["--file", str(path)] + (["--database-url", url] if url else [])
    done = subprocess.run(command, capture_output=True, text=True, timeout=1800, check=True)
    figures: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--database-url", default=None, help="PostgreSQL URL (default: SQLite)")
    parser.add_argument("--child", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--folder", type=Path, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--file", type=Path, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.database_url, args.folder, args.file)
        return
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        path = folder / "inventory.csv"
        make_csv(path, args.rows)
        size_mb = path.stat().st_size / 1e6
        floor = measure("floor", args.database_url, folder, path)
        first = measure("import", args.database_url, folder, path)
        again = measure("reimport", args.database_url, folder, path)
    backend = "postgresql" if args.database_url else "sqlite"
    rows = args.rows
    print(f"backend={backend} rows={rows} file={size_mb:.0f} MB audit_events={again['events']}")
    for label, step, note in [
        ("import", first, ""),
        ("re-import", again, " (no changes)"),
        ("floor", floor, " (bare set-based insert, no checks)"),
    ]:
        seconds, cpu, peak = step["seconds"], step["cpu"], step["peak_mb"]
        print(
            f"{label:10} {seconds:7.1f} s wall {cpu:7.1f} s CPU {rows / seconds:8.0f} rows/s"
            f"  peak RSS {peak:5.0f} MB{note}"
        )
    wall, cpu = first["seconds"] / floor["seconds"], first["cpu"] / floor["cpu"]
    # On a loaded machine wall time mostly measures the queue; CPU time is the steadier figure.
    print(f"ratio import/floor: {wall:.2f}x wall, {cpu:.2f}x CPU")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
