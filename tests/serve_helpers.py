"""The real `hygiene serve` as a subprocess for tests: started on a free loopback port, and
handed to the test once it answers /healthz.

Made for a loaded machine (2 cores, load average 10 and more while CI runs): the start-up
deadline is generous, and a port that another process took between our probe and the server's
bind is detected (uvicorn logs the failed bind and exits) and replaced, instead of waiting on,
or talking to, somebody else's server. /healthz is polled only after our process logged that it
listens on the port.
"""

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from tests.conftest import SECRET

HYGIENE = Path(sys.executable).with_name("hygiene")
START_TIMEOUT = 120.0  # seconds; `hygiene serve` starts in about 2 s on an idle machine
STOP_TIMEOUT = 60.0
PORT_TAKEN = "address already in use"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def serve_env(db_url: str, tmp_path: Path, **extra: str) -> dict[str, str]:
    """The test's environment without its HYGIENE_ settings, plus the test database and `extra`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("HYGIENE_")}
    env |= {
        "HYGIENE_DATABASE_URL": db_url,
        "HYGIENE_SECRET_KEY": SECRET,
        "HYGIENE_DATA_DIR": str(tmp_path / "var"),
        **extra,
    }
    return env


@dataclass(frozen=True)
class Served:
    base: str  # http://127.0.0.1:PORT
    pid: int
    log: Path  # the process's stdout and stderr


def _listening(process: subprocess.Popen[bytes], log: Path, port: int) -> bool:
    """True once the process listens on `port`; False if it could not bind it (port taken)."""
    listening = f"running on http://127.0.0.1:{port}"
    deadline = time.monotonic() + START_TIMEOUT
    while True:
        text = log.read_text("utf-8", "replace")
        if listening in text:
            return True
        if process.poll() is not None:
            assert PORT_TAKEN in text, f"`hygiene serve` exited with {process.returncode}:\n{text}"
            return False
        assert time.monotonic() < deadline, f"not listening after {START_TIMEOUT:.0f} s:\n{text}"
        time.sleep(0.2)


def _wait_for_health(process: subprocess.Popen[bytes], base: str, log: Path) -> None:
    """Any answer from /healthz (503 included: the scheduler may not have ticked yet)."""
    deadline = time.monotonic() + START_TIMEOUT
    while True:
        try:
            httpx.get(f"{base}/healthz", timeout=10)
            return
        except httpx.TransportError:
            assert process.poll() is None, log.read_text("utf-8", "replace")
            assert time.monotonic() < deadline, log.read_text("utf-8", "replace")
            time.sleep(0.2)


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=STOP_TIMEOUT)


@contextmanager
def serving(tmp_path: Path, env: dict[str, str], *args: str) -> Iterator[Served]:
    """`hygiene serve --host 127.0.0.1 --port PORT ARGS…` with `env`, once it answers; stopped
    (SIGTERM, then SIGKILL after a minute) when the block ends."""
    for _ in range(5):
        port = free_port()
        log = tmp_path / f"serve-{port}.log"
        command = [str(HYGIENE), "serve", *args, "--host", "127.0.0.1", "--port", str(port)]
        with log.open("wb") as out:
            process = subprocess.Popen(command, env=env, stdout=out, stderr=out)
        try:
            if not _listening(process, log, port):
                continue
            base = f"http://127.0.0.1:{port}"
            _wait_for_health(process, base, log)
            yield Served(base, process.pid, log)
            return
        finally:
            _stop(process)
    raise AssertionError("5 free ports in a row were taken before `hygiene serve` could bind them")
