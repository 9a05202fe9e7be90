"""`trusted_proxies`: the web server believes X-Forwarded-* only from the configured proxies.

Checked on the real `hygiene serve`: behind a trusted proxy that says the client used HTTPS, the
CSRF cookie is marked Secure; from an address that is not a trusted proxy, the same header is
ignored.
"""

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.conftest import SECRET

HYGIENE = Path(sys.executable).with_name("hygiene")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def serving(tmp_path: Path, db_url: str, trusted: str) -> Iterator[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HYGIENE_")}
    env |= {
        "HYGIENE_DATABASE_URL": db_url,
        "HYGIENE_SECRET_KEY": SECRET,
        "HYGIENE_DATA_DIR": str(tmp_path / "var"),
        "HYGIENE_TRUSTED_PROXIES": trusted,
    }
    port = _free_port()
    command = [str(HYGIENE), "serve", "--no-scheduler", "--port", str(port)]
    log = tmp_path / f"serve-{port}.log"
    with log.open("wb") as out, subprocess.Popen(command, env=env, stdout=out, stderr=out) as proc:
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 30
            while True:
                try:
                    urllib.request.urlopen(f"{base}/healthz", timeout=2).close()  # noqa: S310
                    break
                except urllib.error.HTTPError:
                    break
                except OSError:
                    assert proc.poll() is None, log.read_text("utf-8")
                    assert time.monotonic() < deadline, log.read_text("utf-8")
                    time.sleep(0.2)
            yield base
        finally:
            proc.terminate()
            proc.wait(timeout=15)


def _cookies_over_https_says_the_proxy(base: str) -> str:
    request = urllib.request.Request(  # noqa: S310  (loopback)
        f"{base}/portal/sign-in", headers={"X-Forwarded-Proto": "https"}
    )
    with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310
        return "\n".join(response.headers.get_all("set-cookie") or [])


def test_forwarded_headers_count_only_from_a_trusted_proxy(tmp_path: Path, db_url: str) -> None:
    with serving(tmp_path, db_url, trusted="127.0.0.1") as base:
        trusted = _cookies_over_https_says_the_proxy(base)
    with serving(tmp_path, db_url, trusted="10.20.30.40") as base:
        untrusted = _cookies_over_https_says_the_proxy(base)
    assert "hygiene_csrf=" in trusted
    assert "secure" in trusted.lower()
    assert "hygiene_csrf=" in untrusted
    assert "secure" not in untrusted.lower()
