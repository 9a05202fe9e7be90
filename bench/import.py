"""Import benchmark: 100,000 spreadsheet rows through `hygiene import`'s bulk path.

Prints rows/s for the import and for the floor measured in the same run: the same rows inserted
with plain executemany INSERTs and no validation, diffing or audit. The ratio is what validation,
the diff and the audit chain cost on top of writing the rows at all.

    .venv/bin/python bench/import.py [--rows 100000] [--database-url postgresql+psycopg://…]
"""

import argparse
import csv
import resource
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert, text

from hygiene import db
from hygiene import models as _models  # noqa: F401
from hygiene.audit import service as audit
from hygiene.inventory import importer
from hygiene.inventory.models import Account, Official, Unit
from hygiene.inventory.schemas import ValidationContext
from hygiene.settings import default_policies

TODAY = date(2026, 3, 2)
HEADER = list(importer.COLUMNS)


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
                    ["email", "zalo", "social", "government"][n % 4],
                    f"login{n}",
                    (TODAY - timedelta(days=n % 200)).strftime("%d/%m/%Y"),
                    "có" if n % 3 else "không",
                ]
            )


def fresh_engine(url: str | None, folder: Path, name: str):  # type: ignore[no-untyped-def]
    if url:
        engine = db.make_engine(url)
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA IF EXISTS bench_import CASCADE"))
            connection.execute(text("CREATE SCHEMA bench_import"))
        engine.dispose()
        engine = db.make_engine(url, connect_args={"options": "-csearch_path=bench_import"})
    else:
        engine = db.make_engine(f"sqlite:///{folder / name}.db")
    db.upgrade(engine)
    return engine


def run_import(engine, path: Path) -> float:  # type: ignore[no-untyped-def]
    context = ValidationContext(today=TODAY, kinds=list(default_policies()))
    started = time.perf_counter()
    with db.session_scope(engine) as session:
        importer.import_file(
            session, path, context=context, key=b"k" * 32, now=datetime.now(UTC), actor="bench"
        )
    return time.perf_counter() - started


def run_floor(engine, path: Path) -> float:  # type: ignore[no-untyped-def]
    """Read the same CSV and insert units, officials and accounts with bare executemany."""
    started = time.perf_counter()
    now = datetime.now(UTC)
    with path.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    with engine.begin() as connection:
        units = sorted({r["unit"] for r in rows})
        connection.execute(insert(Unit), [{"name": u, "created_at": now} for u in units])
        unit_ids = dict(connection.execute(text("SELECT name, id FROM unit")).all())
        people = {r["employee_id"]: r for r in rows}
        connection.execute(
            insert(Official),
            [
                {
                    "employee_id": e,
                    "full_name": r["full_name"],
                    "unit_id": unit_ids[r["unit"]],
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
        ids = dict(connection.execute(text("SELECT employee_id, id FROM official")).all())
        connection.execute(
            insert(Account),
            [
                {
                    "official_id": ids[r["employee_id"]],
                    "system": r["system"],
                    "kind": r["kind"],
                    "login": r["login"],
                    "last_rotated_on": None,
                    "mfa": False,
                    "browser_saved": False,
                    "created_at": now,
                    "updated_at": now,
                }
                for r in rows
            ],
        )
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--database-url", default=None, help="PostgreSQL URL (default: SQLite)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "inventory.csv"
        make_csv(path, args.rows)
        floor_engine = fresh_engine(args.database_url, Path(folder), "floor")
        floor = run_floor(floor_engine, path)
        floor_engine.dispose()
        engine = fresh_engine(args.database_url, Path(folder), "import")
        took = run_import(engine, path)
        again = run_import(engine, path)  # re-import: nothing changes
        with db.session_scope(engine) as session:
            events = audit.count(session)
        engine.dispose()
    backend = "postgresql" if args.database_url else "sqlite"
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"backend={backend} rows={args.rows} audit_events={events}")
    print(f"import:    {took:7.2f} s  {args.rows / took:9.0f} rows/s")
    print(f"re-import: {again:7.2f} s  {args.rows / again:9.0f} rows/s (no changes)")
    print(
        f"floor:     {floor:7.2f} s  {args.rows / floor:9.0f} rows/s (bare executemany, no checks)"
    )
    print(f"ratio import/floor: {took / floor:.2f}x   peak RSS: {peak_mb:.0f} MB")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
