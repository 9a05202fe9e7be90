"""The disk holding the SQLite database fills up in the middle of delivery (a small tmpfs, filled
with zeros until ENOSPC), stays full, and is freed again. The service (`hygiene serve` with its web
app, to read /healthz and /metrics as a monitor does) logs one warning when the condition starts,
reminders spaced out by backoff, and one line when it ends, never a traceback; /healthz answers
503 with the reason while the disk is full; hygiene_delivery_conditions_total counts the
condition once. Afterwards the campaign is delivered, nothing lost, a duplicate only for a
message in flight at the fault, the database passes its integrity check and the audit chain
verifies.

Needs root (to mount the tmpfs), as tests/cli/test_truthful_output.py's full disk. CI scale: 400
messages, 10 s full; full scale: 3,000 messages, 2 min full.
"""

import json
import shutil
import sqlite3
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from hygiene import db
from hygiene.settings import Settings
from tests.conftest import SECRET
from tests.helpers import fill, tmpfs
from tests.reliability.faults.harness import (
    HYGIENE,
    Fleet,
    assert_all_delivered,
    district,
    in_flight,
    record_tally,
    scaled,
    sent_count,
    service_env,
    sink,
    tail,
    tally,
    wait_settled,
    wait_until,
    waiting,
)
from tests.serve_helpers import free_port

STARTED = "Delivery paused: đĩa đầy / disk full"
REMINDED = "Delivery still paused: đĩa đầy / disk full"
ENDED = "Delivery resumed after"


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 48 MB tmpfs mounted for this test."""
    with tmpfs(tmp_path / "disk", "48m") as disk:
        yield disk


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310  (loopback)
            return int(response.status), response.read().decode("utf-8")
    except urllib.error.HTTPError as exc:
        return int(exc.code), exc.read().decode("utf-8")
    except (urllib.error.URLError, OSError):
        return 0, ""


def conditions_started(metrics: str) -> float:
    for line in metrics.splitlines():
        if line.startswith('hygiene_delivery_conditions_total{condition="disk_full"}'):
            return float(line.split()[-1])
    return 0.0


def test_a_full_disk_mid_delivery_pauses_it_once_and_loses_nothing(
    db_url: str, tmp_path: Path, small_disk: Path
) -> None:
    count, full_for = scaled(400, 3000), scaled(10, 120)
    target = small_disk / "hygiene.db"
    shutil.copyfile(db_url.removeprefix("sqlite:///"), target)
    settings = Settings(database_url=f"sqlite:///{target}", data_dir=tmp_path / "var",
                        secret_key=SECRET)  # fmt: skip
    engine: Engine = db.make_engine(settings.db_url)
    try:
        planned = district(engine, settings, count)
        started = time.monotonic()
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        with sink(tmp_path, delay=0.002) as server:
            # Batches of 20: outcomes are written per batch, so the disk fills between batches
            # with most of the campaign still to send.
            env = service_env(settings.db_url, tmp_path, server.port,
                              HYGIENE_DELIVERY__BATCH_SIZE="20")  # fmt: skip
            group = Fleet(env, tmp_path)
            try:
                group.start(1, args=("--host", "127.0.0.1", "--port", str(port)))
                wait_until(lambda: get(f"{base}/healthz")[0] == 200, timeout=60, what="/healthz")
                wait_until(lambda: sent_count(engine) >= count // 5, timeout=120, what="a fifth")
                filler = fill(small_disk)
                filled_at = time.monotonic()
                flight = in_flight(engine)
                waiting(lambda: STARTED in group.logs(), timeout=60, what="the warning",
                        engine=engine, group=group)  # fmt: skip
                flight |= in_flight(engine)
                status, body = get(f"{base}/healthz")
                assert status == 503, body
                health = json.loads(body)
                assert "disk full" in health["delivery"], health
                assert "đĩa đầy" in health["delivery"], health
                time.sleep(max(0.0, full_for - (time.monotonic() - filled_at)))
                filler.unlink()
                recovery = wait_settled(engine, group, timeout=scaled(120, 600))
                wait_until(lambda: ENDED in group.logs(), timeout=30, what="the 'resumed' line")
                status, body = get(f"{base}/healthz")
                assert status == 200, body
                metrics = get(f"{base}/metrics")[1]
            finally:
                group.stop()
        logs = group.logs()
        result = tally(engine, server)
    finally:
        engine.dispose()
    assert "Traceback" not in logs, tail(logs)
    assert logs.count(STARTED) == 1, tail(logs)
    assert logs.count(ENDED) == 1, tail(logs)
    # Reminders after 1, then 2, 4 and every 5 minutes: at most one per minute of the fault.
    assert logs.count(REMINDED) <= full_for // 60 + 1, tail(logs)
    assert conditions_started(metrics) == 1.0, metrics
    assert_all_delivered(result, planned, flight, why="disk full")
    with sqlite3.connect(target) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    verified = subprocess.run(
        [str(HYGIENE), "audit", "verify"], env=env, capture_output=True, text=True, check=False
    )
    assert verified.returncode == 0, verified.stdout + verified.stderr
    record_tally(
        "sqlite-disk-full",
        engine,
        result,
        scale=f"{full_for} s full",
        seconds=time.monotonic() - started,
        bound=len(flight),
        recovery=recovery,
        notes=(
            f"48 MB tmpfs filled to ENOSPC after {count // 5}+ sent, freed {full_for} s "
            f"later; 1 warning, {logs.count(REMINDED)} reminder(s), 1 'resumed' line, "
            "/healthz 503 with the reason meanwhile; recovery = space freed → all delivered"
        ),
    )
