"""Planning benchmark: the rotation campaign over N accounts, set-based, against two baselines.

    .venv/bin/python bench/plan.py [--accounts 1000000] [--officials N] [--naive 20000]
                                   [--database-url postgresql+psycopg://…]

Prints, measured in the same run on the same data:
  plan    campaigns.plan("rotation") as the service runs it (INSERT … SELECT … ON CONFLICT DO
          NOTHING RETURNING key, plus the one audit summary event), committed;
  floor   the very same INSERT statement, compiled once and executed by hand on the raw DBAPI
          connection (no ORM, no audit), committed;
  naive   a per-account ORM loop (load each account and its official, decide its stage in
          Python, look up the message, add it) on the first --naive accounts, scaled linearly
          to N;
and the peak RSS of the whole process. Targets: plan ≤ 2× floor, ≥ 50× faster than naive,
peak RSS ≤ 300 MB. Each of plan and floor runs twice on an emptied outbox; the best is kept.
"""

import argparse
import resource
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from datetime import time as clock_time
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, delete, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from hygiene import db
from hygiene import models as _models  # noqa: F401
from hygiene.campaigns import rotation
from hygiene.campaigns import service as campaigns
from hygiene.campaigns.sql import INSERT_COLUMNS, PG_PLANNING_SETTINGS
from hygiene.inventory.models import Account, Official
from hygiene.outbox.models import Message
from hygiene.policy.rules import AccountFacts, current_event, event_mark
from hygiene.settings import Settings
from inventory import vacuum_analyze

TODAY = date(2026, 3, 2)
SCHEMA = "bench_plan"
KEY = b"k" * 32
CREATED = "2025-06-01 03:00:00.000000"


def fresh_engine(url: str | None, folder: Path) -> Engine:
    if url:
        engine = db.make_engine(url)
        with engine.begin() as connection:
            connection.execute(text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
            connection.execute(text(f"CREATE SCHEMA {SCHEMA}"))
        engine.dispose()
        engine = db.make_engine(url, connect_args={"options": f"-csearch_path={SCHEMA}"})
    else:
        engine = db.make_engine(f"sqlite:///{folder / 'plan.db'}")
    db.upgrade(engine)
    return engine


def populate(engine: Engine, accounts: int, officials: int) -> None:
    """Set-based generation: one unit, `officials` officials, `accounts` accounts round-robin,
    last rotated 0–199 days before TODAY (every 17th never rotated), four kinds.
    The SQL is assembled from constants of this file only."""
    pg = engine.dialect.name == "postgresql"
    numbers = (
        "generate_series(0, :n - 1) AS s(i)"
        if pg
        else "(WITH RECURSIVE s(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM s WHERE i < :n - 1)"
        " SELECT i FROM s)"
    )
    created = f"TIMESTAMPTZ '{CREATED}+00'" if pg else f"'{CREATED}'"
    rotated = (
        "CASE WHEN i % 17 = 0 THEN NULL ELSE DATE '2026-03-02' - (i % 200) END"
        if pg
        else "CASE WHEN i % 17 = 0 THEN NULL"
        " ELSE date('2026-03-02', '-' || (i % 200) || ' days') END"
    )
    true, false = ("true", "false") if pg else ("1", "0")
    unit_sql = f"INSERT INTO unit (id, name, created_at) VALUES (1, 'Bench', {created})"  # noqa: S608
    official_sql = (
        "INSERT INTO official (id, employee_id, full_name, unit_id, email, locale,"  # noqa: S608
        " preferred_channels, active, created_at, updated_at)"
        " SELECT i + 1, 'CB' || i, 'Cán bộ ' || i, 1, 'cb' || i || '@xa.example', 'vi',"
        f" 'email,sms', {true}, {created}, {created} FROM {numbers}"
    )
    account_sql = (
        "INSERT INTO account (official_id, system, kind, login, last_rotated_on, mfa,"  # noqa: S608
        " browser_saved, created_at, updated_at)"
        " SELECT (i % :o) + 1, 'Hệ thống ' || (i / :o),"
        " CASE i % 4 WHEN 0 THEN 'email' WHEN 1 THEN 'messaging' WHEN 2 THEN 'social'"
        f" ELSE 'government' END, 'login' || i, {rotated}, {false}, {false},"
        f" {created}, {created} FROM {numbers}"
    )
    with engine.begin() as c:
        c.execute(text(unit_sql))
        c.execute(text(official_sql), {"n": officials})
        c.execute(text(account_sql), {"n": accounts, "o": officials})
        if pg:
            c.execute(text("SELECT setval('official_id_seq', :o)"), {"o": officials})
        else:
            c.execute(text("ANALYZE"))
    if pg:
        # As after any bulk load: without it, the first statement to read the fresh rows pays
        # for setting their hint bits (measured: several times slower), which is not planning.
        vacuum_analyze(engine)


def empty_outbox(engine: Engine) -> None:
    """Delete every message, then VACUUM on PostgreSQL so each run starts from the same state
    (the dead index entries of a deleted outbox slow the next run's look-ups)."""
    with engine.begin() as connection:
        connection.execute(delete(Message))
    if engine.dialect.name == "postgresql":
        vacuum_analyze(engine, "message")


def progress(line: str) -> None:
    print(f"  … {line}", file=sys.stderr, flush=True)


def run_plan(engine: Engine, settings: Settings, now: datetime) -> tuple[float, int]:
    started = time.perf_counter()
    with db.session_scope(engine) as session:
        planned = campaigns.plan(
            session=session,
            settings=settings,
            now=now,
            campaign="rotation",
            audit_key=KEY,
            actor="bench",
        ).planned
    return time.perf_counter() - started, planned


def run_floor(engine: Engine, settings: Settings, now: datetime) -> tuple[float, int]:
    """The service's INSERT, compiled to SQL + parameters, executed on the bare DBAPI cursor."""
    at = campaigns.clockless(settings, now)
    module: Any = postgresql if engine.dialect.name == "postgresql" else sqlite
    statement = (
        module.insert(Message)
        .from_select(list(INSERT_COLUMNS), rotation.statement(settings=settings, at=at, now=now))
        .on_conflict_do_nothing(index_elements=["idempotency_key"])
        .returning(col(Message.idempotency_key))
    )
    compiled = statement.compile(
        dialect=engine.dialect, compile_kwargs={"render_postcompile": True}
    )
    sql = str(compiled)
    params = compiled.construct_params()
    for column in Message.__table__.columns:  # type: ignore[attr-defined]
        # from_select appends the columns with a Python-side default (priority); the service's
        # execute fills them in, construct_params leaves them None.
        if params.get(column.key, 0) is None and column.default is not None:
            params[column.key] = column.default.arg
    processors = compiled._bind_processors  # same value conversion the service's execute does
    values = {k: processors[k](v) if k in processors else v for k, v in params.items()}
    if engine.dialect.name == "sqlite":
        positional = tuple(values[name] for name in compiled.positiontup or ())
    raw = engine.raw_connection()
    try:
        started = time.perf_counter()
        cursor = raw.cursor()
        if engine.dialect.name == "sqlite":
            cursor.execute("BEGIN IMMEDIATE")
            cursor.execute(sql, positional)
        else:
            cursor.execute(PG_PLANNING_SETTINGS)  # the service's session setting, same plan
            cursor.execute(sql, values)
        planned = len(cursor.fetchall())
        raw.commit()
        took = time.perf_counter() - started
        cursor.close()
    finally:
        raw.close()
    return took, planned


def run_naive(engine: Engine, settings: Settings, now: datetime, limit: int) -> float:
    """What the planner replaces: a Python loop over ORM accounts, one lookup and insert each."""
    today = campaigns.clockless(settings, now).today
    started = time.perf_counter()
    with db.session_scope(engine) as session:
        ids = session.exec(select(Account.id).order_by(col(Account.id)).limit(limit)).all()
        for account_id in ids:
            _naive_one(session, settings, now, today, account_id)
    return time.perf_counter() - started


def _naive_one(
    session: Session, settings: Settings, now: datetime, today: date, account_id: int | None
) -> None:
    account = session.get(Account, account_id)
    if account is None:
        return
    official = session.get(Official, account.official_id)
    policy = settings.policies.get(account.kind)
    if official is None or not official.active or policy is None:
        return
    created = account.created_at.replace(tzinfo=UTC).astimezone(settings.zone).date()
    event = current_event(
        AccountFacts(account.kind, account.last_rotated_on, created), policy, today
    )
    if event is None:
        return
    key = f"rotation:{official.id}:{today.isoformat()}:{event.stage.value}"
    if session.exec(select(Message.id).where(Message.idempotency_key == key)).first():
        return
    session.add(
        Message(
            idempotency_key=key, campaign="rotation", kind="rotation_due", stage=event.stage.value,
            official_id=official.id or 0, payload=str(account.id), mark=event_mark(event),
            planned_on=today, planned_at=now, next_attempt_at=now, updated_at=now,
        )
    )  # fmt: skip
    session.flush()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=1_000_000)
    parser.add_argument("--officials", type=int, default=None, help="default: accounts / 5")
    parser.add_argument("--naive", type=int, default=20_000, help="accounts for the naive loop")
    parser.add_argument("--database-url", default=None, help="PostgreSQL URL (default: SQLite)")
    args = parser.parse_args()
    officials = args.officials or max(1, args.accounts // 5)
    settings = Settings(secret_key="bench-secret-0123456789")  # noqa: S106
    now = datetime.combine(TODAY, clock_time(8, 0), settings.zone).astimezone(UTC)
    with tempfile.TemporaryDirectory() as folder:
        engine = fresh_engine(args.database_url, Path(folder))
        started = time.perf_counter()
        populate(engine, args.accounts, officials)
        generated = time.perf_counter() - started
        progress(f"generated in {generated:.1f} s")
        plans, floors = [], []
        for _ in range(2):
            empty_outbox(engine)
            plans.append(run_plan(engine, settings, now))
            progress(f"plan {plans[-1][0]:.2f} s")
            empty_outbox(engine)
            floors.append(run_floor(engine, settings, now))
            progress(f"floor {floors[-1][0]:.2f} s")
        empty_outbox(engine)
        naive = run_naive(engine, settings, now, min(args.naive, args.accounts))
        progress(f"naive {naive:.2f} s")
        engine.dispose()
    backend = "postgresql" if args.database_url else "sqlite"
    plan, planned = min(plans)
    floor, floor_planned = min(floors)
    naive_scaled = naive * args.accounts / min(args.naive, args.accounts)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"backend={backend} accounts={args.accounts} officials={officials} "
        f"planned={planned} (floor planned {floor_planned}); data generated in {generated:.1f} s"
    )
    print(f"plan (service):    {plan:8.2f} s   runs: {', '.join(f'{t:.2f}' for t, _ in plans)}")
    print(f"floor (raw SQL):   {floor:8.2f} s   runs: {', '.join(f'{t:.2f}' for t, _ in floors)}")
    print(
        f"naive ORM loop:    {naive:8.2f} s on {min(args.naive, args.accounts)} accounts"
        f" -> {naive_scaled:.1f} s scaled to {args.accounts}"
    )
    print(f"plan / floor: {plan / floor:.2f}x (target <= 2x)   "
          f"speed-up over naive: {naive_scaled / plan:.0f}x (target >= 50x)   "
          f"peak RSS: {peak_mb:.0f} MB (target <= 300 MB)")  # fmt: skip
    sys.stdout.flush()


if __name__ == "__main__":
    main()
