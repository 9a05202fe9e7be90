"""Read benchmark: the compliance report, the console home and /metrics at district scale.

    .venv/bin/python bench/reports.py [--accounts 1000000] [--units 500] [--messages 200000]
                                      [--database-url postgresql+psycopg://…] [--no-analyze]

Builds the synthetic district of bench/inventory.py (accounts / 5 officials) with set-based SQL,
plus `--messages` outbox rows, then measures through the real web app (FastAPI TestClient, a
security officer's API token and console session), each request run --runs times (best and
median printed):

  GET /api/v1/reports/compliance             every unit (target < 1 s)
  GET /api/v1/reports/compliance?unit=…      one unit
  GET /console/compliance                    the dashboard page (same figures, charts)
  GET /console                               the console home (target < 200 ms)
  GET /metrics                               a Prometheus scrape (target < 200 ms)
  tally rebuild                              tally_due recounted (what a policy change costs)
  snapshot                                   `hygiene report snapshot`'s statement, committed
  rotation, 1 official                       one UPDATE of an official's 5 accounts, committed

and, in the same run, the floor: the cheapest read of every account there is, a bare
`SELECT official_id, count(*) FROM account GROUP BY official_id` on the raw DBAPI cursor.
The machine is shared: compare the ratios to the floor, not the seconds.
"""

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from datetime import time as clock_time
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import Engine, text

from hygiene import db
from hygiene import models as _models  # noqa: F401
from hygiene.bootstrap import build_deps
from hygiene.clock import FixedClock
from hygiene.reports import compliance, snapshot, tally
from hygiene.runtime import Runtime
from hygiene.settings import Settings
from hygiene.users import service as users
from hygiene.users import sessions
from hygiene.web.app import create_app
from hygiene.web.auth import SESSION_COOKIE

sys.path.insert(0, str(Path(__file__).parent))
from typing import Any

from inventory import TODAY, drop_schema, fresh_engine, populate, vacuum_analyze

SCHEMA = "bench_reports"
SECRET = "bench-secret-0123456789"  # noqa: S105  (a throwaway service secret)
EMAIL = "an-ninh@huyen.example"


def progress(line: str) -> None:
    print(f"  … {line}", file=sys.stderr, flush=True)


def add_messages(engine: Engine, count: int, officials: int, *, analyze: bool = True) -> None:
    """`count` outbox rows over the officials: sent (a third acknowledged), pending, failed."""
    pg = engine.dialect.name == "postgresql"
    numbers = (
        "generate_series(0, :n - 1) AS s(i)"
        if pg
        else "(WITH RECURSIVE s(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM s WHERE i < :n - 1)"
        " SELECT i FROM s)"
    )
    at = "TIMESTAMPTZ '2026-03-01 01:00:00+00'" if pg else "'2026-03-01 01:00:00.000000'"
    day = "DATE '2026-03-01'" if pg else "'2026-03-01'"
    sql = (
        "INSERT INTO message (idempotency_key, campaign, kind, official_id, payload,"  # noqa: S608
        " planned_on, planned_at, status, attempts, next_attempt_at, channel, acknowledged_at,"
        " updated_at) SELECT 'bench:' || i, 'rotation', 'rotation_due', (i % :o) + 1, '',"
        f" {day}, {at}, CASE WHEN i % 10 < 7 THEN 'sent' WHEN i % 10 < 9 THEN 'pending'"
        f" ELSE 'failed' END, 1, {at}, CASE WHEN i % 2 = 0 THEN 'email' ELSE 'sms' END,"
        f" CASE WHEN i % 10 < 7 AND i % 3 = 0 THEN {at} END, {at} FROM {numbers}"
    )
    with engine.begin() as connection:
        connection.execute(text(sql), {"n": count, "o": officials})
        if not pg and analyze:
            connection.execute(text("ANALYZE"))
    if pg and analyze:
        vacuum_analyze(engine, "message")


def floor(engine: Engine) -> float:
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        started = time.perf_counter()
        cursor.execute("SELECT official_id, count(*) FROM account GROUP BY official_id")
        cursor.fetchall()
        took = time.perf_counter() - started
        cursor.close()
        raw.rollback()
    finally:
        raw.close()
    return took


def timed(call: Callable[[], object], runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        out.append(time.perf_counter() - started)
    return out


def run_rebuild(engine: Engine, settings: Settings, now: datetime) -> None:
    """Recount tally_due from every account, as `tally.sync` does after a policy change."""
    with db.session_scope(engine) as session:
        tally.rebuild(session, policies=settings.policies, at=compliance.clock_at(settings, now))


def run_snapshot(engine: Engine, settings: Settings, now: datetime) -> snapshot.Taken:
    with db.session_scope(engine) as session:
        return snapshot.take(
            session, policies=settings.policies, at=compliance.clock_at(settings, now), now=now
        )


def rotate_one(engine: Engine, now: datetime) -> Callable[[], object]:
    """One official's accounts rotated in one UPDATE and committed: what the triggers keeping
    the tallies (migrations 0018, 0019) add to a write."""
    turn = iter(range(1, 10**9))

    def call() -> object:
        with engine.begin() as connection:
            return connection.execute(
                text("UPDATE account SET last_rotated_on = :on WHERE official_id = :o"),
                {"on": now.date(), "o": next(turn) * 7},
            )

    return call


def credentials(engine: Engine, now: datetime) -> tuple[str, str]:
    """A security officer's API token and console session cookie."""
    with db.session_scope(engine) as session:
        _, code = users.add_user(
            session, email=EMAIL, roles="security", secret=SECRET.encode(), now=now, actor="bench"
        )
        user = users.complete_setup(
            session, email=EMAIL, code=code, password="Bench-pass-2026!x", secret=SECRET.encode(),  # noqa: S106
            now=now,
        )  # fmt: skip
        token = users.issue_token(
            session, email=EMAIL, name="bench", secret=SECRET.encode(), now=now, actor="bench"
        )
        cookie = sessions.start(
            session, kind="console", secret=SECRET.encode(), now=now, user_id=db.row_id(user.id)
        )
    return token, cookie


def get(client: TestClient, path: str, **kwargs: Any) -> Callable[[], object]:
    def call() -> object:
        response = client.get(path, **kwargs)
        if response.status_code != 200:
            raise SystemExit(f"{path}: HTTP {response.status_code} {response.text[:200]}")
        return response

    return call


def measure(engine: Engine, settings: Settings, now: datetime, runs: int) -> dict[str, list[float]]:
    token, cookie = credentials(engine, now)
    deps = build_deps(settings, clock=FixedClock(now), engine=engine)
    bearer = {"Authorization": f"Bearer {token}"}
    results: dict[str, list[float]] = {"floor": timed(lambda: floor(engine), runs)}
    results["tally rebuild"] = timed(lambda: run_rebuild(engine, settings, now), 2)
    results["snapshot"] = timed(lambda: run_snapshot(engine, settings, now), 2)
    results["rotation, 1 official"] = timed(rotate_one(engine, now), runs)
    with TestClient(create_app(deps, runtime=Runtime(started_at=now))) as client:
        client.cookies.set(SESSION_COOKIE, cookie)
        requests = {
            "api compliance, all units": get(client, "/api/v1/reports/compliance", headers=bearer),
            "api compliance, one unit": get(
                client, "/api/v1/reports/compliance", params={"unit": "Đơn vị 7"}, headers=bearer
            ),
            "/console/compliance": get(client, "/console/compliance"),
            "/console (home)": get(client, "/console"),
            "/metrics": get(client, "/metrics"),
        }
        for name, call in requests.items():
            results[name] = timed(call, runs)
            progress(f"{name}: best {min(results[name]):.3f} s")
    return results


TARGETS = {
    "api compliance, all units": 1.0,
    "api compliance, one unit": 1.0,
    "/console (home)": 0.2,
    "/metrics": 0.2,
}


def report(results: dict[str, list[float]]) -> None:
    base = min(results["floor"])
    print(f"{'figure':28} {'best':>8} {'median':>8} {'÷ floor':>8}  target")
    for name, runs in results.items():
        best, median = min(runs), statistics.median(runs)
        target = TARGETS.get(name)
        verdict = "" if target is None else (
            f"< {target:g} s: {'met' if best < target else 'NOT met'}")  # fmt: skip
        print(f"{name:28} {best:8.3f} {median:8.3f} {best / base:7.2f}×  {verdict}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=1_000_000)
    parser.add_argument("--units", type=int, default=500)
    parser.add_argument("--messages", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--database-url", default=None, help="PostgreSQL URL (default: SQLite)")
    parser.add_argument("--schema", default=SCHEMA, help="PostgreSQL schema (dropped after)")
    parser.add_argument(
        "--no-analyze",
        action="store_true",
        help="no ANALYZE / VACUUM after loading: the plans autovacuum off gives (no statistics)",
    )
    args = parser.parse_args()
    officials = max(1, args.accounts // 5)
    now = datetime.combine(TODAY, clock_time(10, 0), Settings(secret_key=SECRET).zone)
    now = now.astimezone(UTC)
    with tempfile.TemporaryDirectory() as folder:
        engine = fresh_engine(args.database_url, Path(folder), args.schema)
        settings = Settings(
            secret_key=SECRET, database_url=str(engine.url), data_dir=Path(folder) / "var"
        )
        started = time.perf_counter()
        analyze = not args.no_analyze
        populate(
            engine, units=args.units, officials=officials, accounts=args.accounts, analyze=analyze
        )
        add_messages(engine, args.messages, officials, analyze=analyze)
        progress(f"generated in {time.perf_counter() - started:.1f} s")
        try:
            results = measure(engine, settings, now, args.runs)
        finally:
            engine.dispose()
            drop_schema(args.database_url, args.schema)
    backend = "postgresql" if args.database_url else "sqlite"
    print(
        f"backend={backend} units={args.units} officials={officials} accounts={args.accounts}"
        f" messages={args.messages} runs={args.runs} analyzed={not args.no_analyze}"
    )
    report(results)


if __name__ == "__main__":
    main()
