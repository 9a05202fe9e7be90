"""`hygiene serve --no-web` runs the scheduler and delivery loop until interrupted."""

import os
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

from sqlalchemy import Engine

from hygiene.db import session_scope
from tests import factories as f
from tests.conftest import RunCli

ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT = 120.0  # start-up and the first delivery tick, on a loaded machine


def test_it_delivers_planned_messages_until_interrupted(
    engine: Engine, run_cli: RunCli, cli_env: dict[str, str], tmp_path: Path
) -> None:
    with session_scope(engine) as session:
        who = f.ident(f.official(session, f.ident(f.unit(session)), "CB001"))
        f.account(session, who, rotated=date(2025, 1, 1))
    assert "1 tin nhắn" in run_cli("run", "plan", "--campaign", "rotation").output
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("HYGIENE_")},
        **cli_env,
        "HYGIENE_DELIVERY__INTERVAL_SECONDS": "1",
        "HYGIENE_DELIVERY__WINDOW_START": "00:00",
        "HYGIENE_DELIVERY__WINDOW_END": "23:59:59",
        "HYGIENE_DELIVERY__DAYS": '["mon","tue","wed","thu","fri","sat","sun"]',
    }
    out, err = tmp_path / "serve.out", tmp_path / "serve.err"
    # Output to files, not pipes nobody reads while it runs: a full pipe would block the service.
    with out.open("wb") as stdout, err.open("wb") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-m", "hygiene", "serve", "--no-web"],
            cwd=ROOT,
            env=env,
            stdout=stdout,
            stderr=stderr,
        )
    outbox = tmp_path / "var" / "outbox"
    try:
        # Interrupted only once it delivered: a SIGINT during start-up (before the loop runs,
        # slow on a loaded machine) would be a different test.
        deadline = time.monotonic() + START_TIMEOUT
        while not list(outbox.glob("*.eml")):
            assert process.poll() is None, err.read_text("utf-8")
            assert time.monotonic() < deadline, f"nothing delivered:\n{err.read_text('utf-8')}"
            time.sleep(0.1)
        process.send_signal(signal.SIGINT)
        process.wait(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=60)
    assert process.returncode == 0, err.read_text("utf-8")
    assert len(list(outbox.glob("*.eml"))) == 1
    assert "Đã dừng" in out.read_text("utf-8")
