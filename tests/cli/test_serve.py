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
    process = subprocess.Popen(
        [sys.executable, "-m", "hygiene", "serve", "--no-web"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    outbox = tmp_path / "var" / "outbox"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not list(outbox.glob("*.eml")):
        time.sleep(0.1)
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=30)
    assert process.returncode == 0, err.decode()
    assert len(list(outbox.glob("*.eml"))) == 1
    assert "Đã dừng" in out.decode()
