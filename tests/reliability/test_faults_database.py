"""The database briefly unavailable under a running service: SQLite locked by another process
(for longer than the 30 s busy timeout at full scale) and a PostgreSQL restart. The service
survives, nothing is lost, and a duplicate is allowed only for a message that was in flight
while the database was away (sent, but its outcome could not be written, so it was resent with
the same Message-ID after its lease expired)."""

import sqlite3
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session, col

from hygiene.db import readonly
from hygiene.outbox.models import Message
from hygiene.settings import Settings
from tests.reliability.faults.harness import (
    FULL,
    Result,
    as_message_ids,
    assert_all_delivered,
    backend,
    district,
    fleet,
    in_flight,
    record,
    scaled,
    service_env,
    settled,
    sink,
    spanning,
    statuses,
    tail,
    tally,
    wait_until,
)


def sent(engine: Engine) -> int:
    return statuses(engine)["sent"]


def reached(engine: Engine, target: int, service: subprocess.Popen[bytes]) -> bool:
    return sent(engine) >= target or service.poll() is not None


def moved_or_settled(engine: Engine, floor: int) -> bool:
    return sent(engine) > floor or settled(engine)


def flying(engine: Engine) -> set[str]:
    return in_flight(readonly(engine))


# --- SQLite busy --------------------------------------------------------------------------------


@contextmanager
def exclusive_lock(path: str) -> Iterator[sqlite3.Connection]:
    """Another process's write lock on the database file (readers still read, under WAL)."""
    connection = sqlite3.connect(path, timeout=60, isolation_level=None)
    try:
        connection.execute("BEGIN EXCLUSIVE")
        yield connection
        connection.execute("ROLLBACK")
    finally:
        connection.close()


def test_sqlite_locked_by_another_process_loses_nothing(
    engine: Engine, settings: Settings, tmp_path: Path
) -> None:
    if engine.dialect.name != "sqlite":
        pytest.skip("SQLite leg")
    path = make_url(settings.db_url).database
    assert path
    count = scaled(600, 3000)
    holds = [5.0, 5.0, 5.0] + ([35.0] if FULL else [])  # 35 s > the 30 s busy_timeout
    planned = district(engine, settings, count)
    started = time.monotonic()
    flight: set[str] = set()
    recoveries: list[float] = []
    frozen: list[tuple[int, int]] = []  # sent count when the lock was taken, and at release
    with sink(tmp_path, delay=0.005) as server:
        env = service_env(settings.db_url, tmp_path, server.port)
        with fleet(env, tmp_path) as group:
            (service,) = group.processes
            for n, hold in enumerate(holds):
                target = (n + 1) * count // (len(holds) + 2)
                wait_until(
                    partial(reached, engine, target, service),
                    timeout=120,
                    what=f"{target} sent before lock {n + 1}\n{tail(group.logs())}",
                    poll=0.05,
                )
                assert service.poll() is None, f"the service died\n{tail(group.logs())}"
                flight |= flying(engine)
                with exclusive_lock(path):
                    locked_at = datetime.now(UTC)
                    flight |= flying(engine)
                    held = sent(engine)
                    time.sleep(hold)
                    frozen.append((held, sent(engine)))
                    flight |= flying(engine)
                released = time.monotonic()
                flight |= spanning(engine, locked_at)
                recoveries.append(
                    wait_until(
                        partial(moved_or_settled, engine, held),
                        timeout=120,
                        what=f"delivery after lock {n + 1}\n{tail(group.logs())}",
                        poll=0.05,
                    )
                )
                flight |= flying(engine)
                assert time.monotonic() - released < 120
            wait_until(
                lambda: settled(engine) or service.poll() is not None,
                timeout=scaled(180, 600),
                what=f"delivery after the locks\n{tail(group.logs())}",
                poll=0.2,
            )
            alive = service.poll() is None
            logs = group.logs()
    result = tally(engine, server)
    bound = as_message_ids(engine, flight)
    assert alive, f"the service died on a locked database\n{tail(logs)}"
    assert all(before == after for before, after in frozen), f"sent while locked: {frozen}"
    if FULL:
        assert "locked" in logs, "the 35 s lock should have outlasted the busy timeout"
    assert_all_delivered(result, planned, bound)
    record(
        Result(
            scenario="sqlite-busy",
            backend=backend(engine),
            scale=" + ".join(f"{h:.0f} s" for h in holds) + " locks",
            runs=len(holds),
            messages=planned,
            lost=result.lost,
            duplicated=result.duplicated,
            duplicate_bound=len(bound),
            longest_recovery_seconds=round(max(recoveries), 1),
            seconds=round(time.monotonic() - started, 1),
            notes=(
                "BEGIN EXCLUSIVE held by another process mid-delivery; busy_timeout 30 s;"
                f" {'database is locked errors seen' if 'locked' in logs else 'no lock errors'};"
                " recovery = release → sent count moves"
            ),
        )
    )


# --- PostgreSQL restart -------------------------------------------------------------------------


def cluster(db_url: str) -> tuple[str, str]:
    """(version, name) of the local cluster serving the test database's port."""
    port = str(make_url(db_url).port or 5432)
    listing = subprocess.run(
        ["pg_lsclusters", "--no-header"], capture_output=True, text=True, check=True
    ).stdout
    for line in listing.splitlines():
        version, name, cluster_port, *_ = line.split()
        if cluster_port == port:
            return version, name
    raise AssertionError(f"no local cluster on port {port}:\n{listing}")


def pg_ctl(version: str, name: str, action: str) -> None:
    command = ["pg_ctlcluster", "--skip-systemctl-redirect", version, name, action]
    if action == "stop":
        command += ["-m", "fast"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, f"{' '.join(command)}: {done.stdout}{done.stderr}"


def reachable(engine: Engine) -> bool:
    try:
        with engine.connect() as connection:
            connection.exec_driver_sql("SELECT 1")
    except DBAPIError:
        return False
    return True


def first_sent_after(engine: Engine, instant: datetime) -> float:
    """Seconds from `instant` to the first message marked sent after it."""
    query = select(func.min(Message.sent_at)).where(col(Message.sent_at) > instant)
    with Session(readonly(engine)) as session:
        first = session.execute(query).scalar_one()
    assert first is not None, "nothing was sent after the restart"
    return float((first.astimezone(UTC) - instant).total_seconds())


def accepted_lines(server_record: Path) -> list[str]:
    return server_record.read_text("ascii").split() if server_record.exists() else []


@pytest.mark.postgres
def test_a_postgresql_restart_mid_delivery_loses_nothing(
    engine: Engine, settings: Settings, tmp_path: Path
) -> None:
    version, name = cluster(settings.db_url)
    count, down = scaled(1000, 5000), scaled(3, 10)
    planned = district(engine, settings, count)
    started = time.monotonic()
    with sink(tmp_path, delay=0.005) as server:
        env = service_env(settings.db_url, tmp_path, server.port)
        with fleet(env, tmp_path) as group:
            (service,) = group.processes
            wait_until(
                lambda: sent(engine) >= count // 4 or service.poll() is not None,
                timeout=120,
                what=f"a quarter sent\n{tail(group.logs())}",
                poll=0.05,
            )
            assert service.poll() is None, f"the service died\n{tail(group.logs())}"
            flight = flying(engine)
            mark = len(accepted_lines(server.record))
            stopped_after = sent(engine)
            try:
                pg_ctl(version, name, "stop")
                stopped_at = datetime.now(UTC)
                time.sleep(down)
            finally:
                # recovery is measured from the start command (pg_ctlcluster returns only once
                # the server is up, and the service may reconnect before it returns)
                restarted, restarted_at = time.monotonic(), datetime.now(UTC)
                pg_ctl(version, name, "start")
            wait_until(lambda: reachable(engine), timeout=60, what="PostgreSQL back up", poll=0.1)
            # Sent (at the server) between the sample and the restart: their outcome may not
            # have been written, so they may be sent again once their lease expires.
            flight |= set(accepted_lines(server.record)[mark:])
            flight |= flying(engine) | spanning(engine, stopped_at)
            wait_until(
                lambda: settled(engine) or service.poll() is not None,
                timeout=scaled(180, 600),
                what=f"delivery after the restart\n{tail(group.logs())}",
                poll=0.2,
            )
            recovery = time.monotonic() - restarted  # start → settled
            alive = service.poll() is None
            logs = group.logs()
    result = tally(engine, server)
    bound = as_message_ids(engine, flight)
    moved = first_sent_after(engine, restarted_at)
    assert alive, f"the service died when PostgreSQL restarted\n{tail(logs)}"
    assert_all_delivered(result, planned, bound)
    record(
        Result(
            scenario="postgresql-restart",
            backend=backend(engine),
            scale=f"{down} s down",
            runs=1,
            messages=planned,
            lost=result.lost,
            duplicated=result.duplicated,
            duplicate_bound=len(bound),
            longest_recovery_seconds=round(moved, 1),
            seconds=round(time.monotonic() - started, 1),
            notes=(
                f"pg_ctlcluster stop -m fast after {stopped_after} sent, start {down} s later;"
                f" recovery = `start` issued → first message sent; all settled {recovery:.1f} s"
                " after it"
            ),
        )
    )
