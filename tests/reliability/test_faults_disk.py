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
import os
import shutil
import socket
import sqlite3
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from hygiene import db
from hygiene.settings import Settings
from tests.conftest import PG_URL, SECRET
from tests.reliability.faults.harness import (
    HYGIENE,
    Fleet,
    Result,
    assert_all_delivered,
    backend,
    district,
    in_flight,
    record,
    scaled,
    sent_count,
    service_env,
    settled,
    sink,
    statuses,
    tail,
    tally,
    wait_until,
)

STARTED = "Delivery paused: đĩa đầy / disk full"
REMINDED = "Delivery still paused: đĩa đầy / disk full"
ENDED = "Delivery resumed after"


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 48 MB tmpfs mounted for this test."""
    if PG_URL:
        pytest.skip("a full disk is tested on SQLite (PostgreSQL's disk is the server's)")
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a small tmpfs needs root: run the suite as root to test a full disk")
    disk = tmp_path / "disk"
    disk.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=48m", "tmpfs", str(disk)],
        capture_output=True,
        text=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.strip()}")
    try:
        yield disk
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=False)


def fill(disk: Path) -> Path:
    """Zeros until the file system refuses (ENOSPC); the filler file, to free it later."""
    filler = disk / "filler"
    try:
        with filler.open("wb", buffering=0) as out:
            while True:
                out.write(b"\0" * 65536)
    except OSError:
        pass
    try:  # the last blocks, a page at a time
        with filler.open("ab", buffering=0) as out:
            while True:
                out.write(b"\0" * 512)
    except OSError:
        pass
    return filler


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


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


def waiting(
    predicate: Callable[[], bool], timeout: float, what: str, engine: Engine, group: Fleet
) -> None:
    try:
        wait_until(predicate, timeout=timeout, what=what)
    except AssertionError as exc:
        raise AssertionError(f"{exc}: {statuses(engine)}\n{tail(group.logs())}") from None


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
                waiting(lambda: STARTED in group.logs(), 60, "the warning", engine, group)
                flight |= in_flight(engine)
                status, body = get(f"{base}/healthz")
                assert status == 503, body
                health = json.loads(body)
                assert "disk full" in health["delivery"], health
                assert "đĩa đầy" in health["delivery"], health
                time.sleep(max(0.0, full_for - (time.monotonic() - filled_at)))
                filler.unlink()
                freed_at = time.monotonic()
                waiting(lambda: settled(engine), scaled(120, 600), "delivery", engine, group)
                recovery = time.monotonic() - freed_at
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
    record(
        Result(
            scenario="sqlite-disk-full",
            backend=backend(engine),
            scale=f"{full_for} s full",
            runs=1,
            messages=planned,
            lost=result.lost,
            duplicated=result.duplicated,
            duplicate_bound=len(flight),
            longest_recovery_seconds=round(recovery, 1),
            seconds=round(time.monotonic() - started, 1),
            notes=(
                f"48 MB tmpfs filled to ENOSPC after {count // 5}+ sent, freed {full_for} s "
                f"later; 1 warning, {logs.count(REMINDED)} reminder(s), 1 'resumed' line, "
                "/healthz 503 with the reason meanwhile; recovery = space freed → all delivered"
            ),
        )
    )
