"""Processes killed with SIGKILL at random points: during planning (`hygiene run plan`) and
during delivery (`hygiene serve --no-web`). Afterwards every planned message exists exactly once
and is delivered: none lost, and a duplicate only for a message the killed process had in flight
(in `sending` under its lease, so it is resent with the same Message-ID once the lease expires).
"""

import random
import signal
import sqlite3
import subprocess
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

from sqlalchemy import Engine, delete, func, or_, select, text
from sqlalchemy.engine import make_url
from sqlmodel import Session, col

from hygiene.outbox.models import Message
from hygiene.settings import Settings
from tests.reliability.faults.harness import (
    HYGIENE,
    Fleet,
    as_message_ids,
    assert_all_delivered,
    district,
    fleet,
    in_flight,
    record_tally,
    scaled,
    seed,
    sent_count,
    service_env,
    settled,
    sink,
    tail,
    tally,
    wait_settled,
    wait_until,
)

SEED = 20_251_128  # every random choice below comes from random.Random(SEED)
PLAN = [str(HYGIENE), "run", "plan", "--campaign", "rotation"]


def message_count(engine: Engine) -> tuple[int, int, int]:
    """(rows, distinct idempotency keys, distinct officials) in the outbox."""
    query = select(
        func.count(),
        func.count(func.distinct(Message.idempotency_key)),
        func.count(func.distinct(Message.official_id)),
    )
    with Session(engine) as session:
        rows, keys, officials = session.execute(query).one()
    return int(rows), int(keys), int(officials)


# --- kills during planning ----------------------------------------------------------------------


APP = "reliability-planner"  # PGAPPNAME prefix of the planner processes (libpq reads it)


class WriterProbe:
    """Is the planner inside a write transaction on the database right now?

    SQLite: every hygiene transaction starts with BEGIN IMMEDIATE, so a writer holds the RESERVED
    lock; a BEGIN IMMEDIATE of our own with no busy timeout fails exactly then (the planner is
    the only other process). PostgreSQL: the planner's backend (found by its application_name)
    is in the planning transaction (it begins with SET LOCAL, then INSERT INTO message …; the
    transaction before it is psycopg's type introspection on connecting)."""

    def __init__(self, engine: Engine, db_url: str) -> None:
        self.engine = engine
        self.runs = 0  # each run gets its own application_name: a killed run's backend can
        # linger for a moment after its client died, and must not be taken for the next run
        self.sqlite: sqlite3.Connection | None = None
        if engine.dialect.name == "sqlite":
            path = make_url(db_url).database
            assert path
            self.sqlite = sqlite3.connect(path, timeout=0, isolation_level=None)

    def writing(self) -> bool:
        if self.sqlite is not None:
            try:
                self.sqlite.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as exc:
                if "locked" in str(exc) or "busy" in str(exc):
                    return True
                raise
            self.sqlite.execute("ROLLBACK")
            return False
        query = text(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = :app"
            " AND xact_start IS NOT NULL AND state <> 'idle' AND (backend_xid IS NOT NULL"
            " OR query ILIKE 'SET LOCAL%' OR query ILIKE 'INSERT INTO message%')"
        )
        with self.engine.connect() as connection:
            return bool(connection.execute(query, {"app": self.app}).scalar_one())

    @property
    def app(self) -> str:
        return f"{APP}-{self.runs}"

    def spawn(self, env: dict[str, str], *extra: str) -> subprocess.Popen[bytes]:
        self.runs += 1
        return subprocess.Popen(
            [*PLAN, *extra],
            env={**env, "PGAPPNAME": self.app},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )

    def close(self) -> None:
        if self.sqlite is not None:
            self.sqlite.close()


def empty_outbox(engine: Engine) -> None:
    """Nothing planned again (the log keeps the run's summary event: it is append-only)."""
    with engine.begin() as connection:
        connection.execute(delete(Message))


@dataclass
class PlanRun:
    mode: str  # "in-transaction": killed after its transaction was seen open; "anytime"
    delay: float
    outcome: str  # "killed mid-run" | "killed outside the transaction" | "finished"
    rows: int  # messages in the outbox right after this run


def transaction_seconds(env: dict[str, str], probe: WriterProbe) -> float:
    """How long a planning transaction stays open: one `--dry-run` (it plans everything, then
    rolls back), watched by the probe."""
    process = probe.spawn(env, "--dry-run")
    opened = closed = 0.0
    while process.poll() is None:
        if probe.writing():
            opened = opened or time.monotonic()
            closed = time.monotonic()
        time.sleep(0.001)
    output, _ = process.communicate(timeout=60)
    assert process.returncode == 0, output.decode("utf-8", "replace")
    assert opened, "the probe never saw the planning transaction"
    return closed - opened


def plan_and_kill(
    env: dict[str, str],
    probe: WriterProbe,
    engine: Engine,
    rng: random.Random,
    mode: str,
    window: float,
) -> PlanRun:
    process = probe.spawn(env)
    started = time.monotonic()
    seen_open = False
    if mode == "in-transaction":
        # Wait for the planning transaction to open, then kill at a random point inside it.
        deadline = started + 30
        while process.poll() is None and time.monotonic() < deadline:
            if probe.writing():
                seen_open = True
                break
            time.sleep(0.001)
        delay = rng.uniform(0.0, window)
        time.sleep(delay)
    else:  # anywhere: start-up (about 1 s), planning, commit or exit
        delay = rng.uniform(0.05, 1.5)
        time.sleep(max(0.0, started + delay - time.monotonic()))
    still_open = seen_open and probe.writing()
    finished = process.poll() is not None
    if not finished:
        process.send_signal(signal.SIGKILL)
    output, _ = process.communicate(timeout=30)
    rows = message_count(engine)[0]
    if finished:
        assert process.returncode == 0, output.decode("utf-8", "replace")
        outcome = "finished"
    elif still_open:
        outcome = "killed mid-run"
    else:
        outcome = "killed outside the transaction"
    return PlanRun(mode, round(delay, 3), outcome, rows)


def test_killing_the_planner_at_random_points_plans_each_message_once(
    engine: Engine, settings: Settings, tmp_path: Path
) -> None:
    count, wanted = scaled(3000, 20000), scaled(20, 40)
    seed(engine, count)
    rng = random.Random(SEED)  # noqa: S311  (fault injection, not security)
    started = time.monotonic()
    probe = WriterProbe(engine, settings.db_url)
    env = service_env(settings.db_url, tmp_path, 25)
    runs: list[PlanRun] = []
    try:
        window = transaction_seconds(env, probe) * 0.8
        # First kills aimed inside the planning transaction, while nothing is planned yet (each
        # must roll back completely), then kills at uniformly random instants after spawning.
        while sum(r.outcome == "killed mid-run" for r in runs) < wanted:
            assert len(runs) < wanted * 3, f"seed {SEED}: too few kills landed mid-run: {runs}"
            runs.append(plan_and_kill(env, probe, engine, rng, "in-transaction", window))
            assert runs[-1].rows in (0, count), f"seed {SEED}: a partial plan: {runs[-1]}"
            if runs[-1].rows:  # it committed before its kill: with everything planned, the next
                empty_outbox(engine)  # runs' transactions would be too short to be hit
        for _ in range(scaled(8, 16)):
            runs.append(plan_and_kill(env, probe, engine, rng, "anytime", window))
            assert runs[-1].rows in (0, count), f"seed {SEED}: a partial plan: {runs[-1]}"
    finally:
        probe.close()
    mid_run = sum(r.outcome == "killed mid-run" for r in runs)
    finished = sum(r.outcome == "finished" for r in runs)
    outside = len(runs) - mid_run - finished
    uncommitted = sum(r.outcome == "killed mid-run" and r.rows == 0 for r in runs)
    summary = (
        f"seed {SEED}: {mid_run} killed mid-run ({uncommitted} rolled back a full plan),"
        f" {outside} killed outside the transaction, {finished} finished;"
        f" kills drawn within {window * 1000:.0f} ms of the transaction opening"
    )
    began = time.monotonic()
    final = subprocess.run(PLAN, env=env, capture_output=True, text=True, timeout=120)
    replan = time.monotonic() - began
    assert final.returncode == 0, final.stdout + final.stderr
    rows, keys, officials = message_count(engine)
    assert (rows, keys, officials) == (count, count, count), f"{summary}: {rows=} {keys=}"
    again = subprocess.run(PLAN, env=env, capture_output=True, text=True, timeout=120)
    assert again.returncode == 0, again.stdout + again.stderr
    assert message_count(engine)[0] == count, f"{summary}: re-planning added messages"
    planned_seconds = time.monotonic() - started
    with sink(tmp_path) as server:
        env = service_env(settings.db_url, tmp_path, server.port)
        with fleet(env, tmp_path, count=2) as group:
            wait_settled(engine, group, timeout=scaled(240, 1200), what="the planned messages")
    result = tally(engine, server)
    assert_all_delivered(result, count, why=str(summary))
    record_tally(
        "kill-during-planning",
        engine,
        result,
        scale=f"{count} officials",
        seconds=time.monotonic() - started,
        recovery=replan,
        runs=mid_run,
        notes=(
            f"{len(runs)} `hygiene run plan --campaign rotation` runs, {summary}; then one"
            f" uninterrupted run (recovery = its duration); planning phase"
            f" {planned_seconds:.0f} s"
        ),
    )


# --- kills during delivery ----------------------------------------------------------------------


def sent_times(engine: Engine, ids: set[str]) -> list[datetime | None]:
    """sent_at of the rows named by Message-ID (or idempotency key, before one was set)."""
    query = select(col(Message.sent_at)).where(
        or_(col(Message.message_id).in_(ids), col(Message.idempotency_key).in_(ids))
    )
    with Session(engine) as session:
        return list(session.execute(query).scalars())


def sent_past(engine: Engine, floor: int, process: subprocess.Popen[bytes]) -> bool:
    return sent_count(engine) > floor or process.poll() is not None


def naive(instant: datetime) -> datetime:
    return instant.astimezone(UTC).replace(tzinfo=None) if instant.tzinfo else instant


def test_killing_the_service_mid_delivery_duplicates_only_messages_in_flight(
    engine: Engine, settings: Settings, tmp_path: Path
) -> None:
    count, kills_wanted = scaled(1500, 5000), scaled(20, 40)
    planned = district(engine, settings, count)
    rng = random.Random(SEED)  # noqa: S311  (fault injection, not security)
    started = time.monotonic()
    flight: set[str] = set()
    kills: list[tuple[datetime, set[str]]] = []  # (restart after the kill, in flight at it)
    with sink(tmp_path, delay=0.06) as server:  # slow enough that 20 kills fit in the run
        env = service_env(settings.db_url, tmp_path, server.port)
        # Outcomes are recorded once per batch: with the default 100 every kill cycle sends at
        # least a whole batch, and 1,500 messages run out before 20 kills. Small batches keep
        # the kills landing mid-delivery.
        env["HYGIENE_DELIVERY__BATCH_SIZE"] = "20"
        group = Fleet(env, tmp_path)
        try:
            while len(kills) < kills_wanted:
                (victim,) = group.start()
                if kills:
                    kills[-1] = (datetime.now(UTC), kills[-1][1])
                before = sent_count(engine)
                assert before < count, (
                    f"seed {SEED}: everything was sent after {len(kills)} kills; slow the sink"
                )
                wait_until(
                    partial(sent_past, engine, before, victim),
                    timeout=60,
                    what=f"the service to send (kill {len(kills) + 1})\n{tail(group.logs())}",
                    poll=0.05,
                )
                assert victim.poll() is None, f"the service died\n{tail(group.logs())}"
                time.sleep(rng.uniform(0.2, 1.5))
                assert sent_count(engine) < count, (
                    f"seed {SEED}: all sent before kill {len(kills) + 1}; slow the sink"
                )
                group.kill(victim)
                victims = in_flight(engine, owner=f":{victim.pid}:")
                flight |= victims
                kills.append((datetime.now(UTC), victims))  # restart time set below
            at_last_kill = sent_count(engine)
            (final,) = group.start()
            kills[-1] = (datetime.now(UTC), kills[-1][1])
            wait_until(
                lambda: settled(engine) or final.poll() is not None,
                timeout=scaled(180, 900),
                what=f"delivery after {len(kills)} kills\n{tail(group.logs())}",
                poll=0.5,
            )
            assert final.poll() is None, f"the last service died\n{tail(group.logs())}"
        finally:
            group.stop()
    result = tally(engine, server)
    bound = as_message_ids(engine, flight)
    recoveries = []
    for restart, victims in kills:
        if victims:
            times = sent_times(engine, victims)
            assert all(t is not None for t in times), (victims, times)
            last = max(naive(t) for t in times if t is not None)
            recoveries.append((last - naive(restart)).total_seconds())
    note = f"seed {SEED}, {len(kills)} kills, {len(flight)} in flight"
    assert len(kills) >= kills_wanted
    assert_all_delivered(result, planned, bound, why=note)
    record_tally(
        "kill-during-delivery",
        engine,
        result,
        scale=f"{len(kills)} kills",
        seconds=time.monotonic() - started,
        bound=len(bound),
        recovery=max(recoveries, default=0.0),
        runs=len(kills),
        notes=(
            f"one `hygiene serve` at a time, SIGKILLed 0.2–1.5 s after it began sending"
            f" (seed {SEED}); {sum(1 for _, v in kills if v)} kills left rows in flight;"
            f" {at_last_kill}/{planned} sent at the last kill;"
            " recovery = restart → last of those rows sent (includes the 10 s lease)"
        ),
    )
