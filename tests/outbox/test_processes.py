"""Several processes against one database deliver each message exactly once; a worker killed
with SIGKILL mid-batch only duplicates the messages it had in flight, with the same Message-ID."""

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from sqlmodel import Session, col

from hygiene.clock import FixedClock
from hygiene.db import session_scope
from hygiene.outbox.models import Message
from hygiene.settings import Settings
from tests import factories as f
from tests.conftest import NOW
from tests.outbox.conftest import expire_leases, plan_rotation

ROOT = Path(__file__).resolve().parents[2]
MESSAGES = 40


@pytest.fixture
def many(engine: Engine, settings: Settings, clock: FixedClock, audit_key: bytes) -> int:
    with session_scope(engine) as session:
        unit = f.ident(f.unit(session))
        for n in range(MESSAGES):
            who = f.ident(f.official(session, unit, f"CB{n:03d}"))
            f.account(session, who, rotated=date(2025, 11, 1))
    return plan_rotation(engine, settings, clock, audit_key)


def _worker(
    url: str, tmp: Path, at: datetime, *, delay: float = 0.0, batch: int = 5
) -> subprocess.Popen[bytes]:
    command = [
        sys.executable, "-m", "tests.outbox.worker", url, str(tmp / "var" / "outbox"),
        str(tmp / "calls.log"), at.isoformat(), "--delay", str(delay), "--batch", str(batch),
    ]  # fmt: skip
    env = {k: v for k, v in os.environ.items() if not k.startswith("HYGIENE_")}
    return subprocess.Popen(command, cwd=ROOT, env=env, stderr=subprocess.PIPE)


def _finish(process: subprocess.Popen[bytes]) -> None:
    _, err = process.communicate(timeout=120)
    assert process.returncode == 0, err.decode()


def _calls(tmp: Path) -> list[tuple[str, str]]:
    lines = (tmp / "calls.log").read_text("utf-8").splitlines()
    return [(line.split()[0], line.split()[1]) for line in lines]


def _statuses(engine: Engine) -> Counter[str]:
    with Session(engine) as session:
        return Counter(session.execute(select(col(Message.status))).scalars())


def _two_workers_deliver_once(engine: Engine, settings: Settings, tmp: Path, many: int) -> None:
    workers = [_worker(settings.db_url, tmp, NOW, delay=0.01) for _ in range(2)]
    for process in workers:
        _finish(process)
    keys = Counter(key for key, _ in _calls(tmp))
    assert len(keys) == many
    assert set(keys.values()) == {1}
    assert len(list((tmp / "var" / "outbox").glob("*.eml"))) == many
    assert _statuses(engine) == {"sent": many}


def test_two_processes_on_sqlite_deliver_each_message_once(
    engine: Engine, settings: Settings, tmp_path: Path, many: int
) -> None:
    if not settings.db_url.startswith("sqlite"):
        pytest.skip("SQLite leg")
    _two_workers_deliver_once(engine, settings, tmp_path, many)


@pytest.mark.postgres
def test_two_processes_on_postgresql_deliver_each_message_once(
    engine: Engine, settings: Settings, tmp_path: Path, many: int
) -> None:
    _two_workers_deliver_once(engine, settings, tmp_path, many)


def _wait_for_calls(tmp: Path, count: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        log = tmp / "calls.log"
        if log.exists() and len(log.read_text("utf-8").splitlines()) >= count:
            return
        time.sleep(0.01)
    raise AssertionError("the worker sent too little")


def test_a_killed_worker_only_duplicates_its_messages_in_flight(
    engine: Engine, settings: Settings, tmp_path: Path, many: int
) -> None:
    victim = _worker(settings.db_url, tmp_path, NOW, delay=0.05, batch=10)
    _wait_for_calls(tmp_path, 12)
    victim.send_signal(signal.SIGKILL)
    victim.communicate(timeout=30)
    with Session(engine) as session:
        in_flight = set(
            session.execute(
                select(col(Message.idempotency_key)).where(col(Message.status) == "sending")
            )
            .scalars()
            .all()
        )
    assert in_flight, "the kill should land mid-batch"
    expire_leases(engine, timedelta(seconds=61))  # the worker's lease_seconds, on either clock
    _finish(_worker(settings.db_url, tmp_path, NOW + timedelta(seconds=61)))
    calls = _calls(tmp_path)
    sent = Counter(key for key, _ in calls)
    assert _statuses(engine) == {"sent": many}
    assert len(sent) == many
    assert {key for key, n in sent.items() if n > 1} <= in_flight
    assert all(len({mid for k, mid in calls if k == key}) == 1 for key in sent)
