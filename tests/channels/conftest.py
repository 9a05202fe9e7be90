"""Fixtures for the channel tests: a real SMTP server in a subprocess, a self-signed certificate,
and a recording HTTP server in a thread (both on 127.0.0.1 only)."""

import json
import socket
import subprocess
import sys
import threading
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from hygiene.channels.base import OutgoingMessage

SERVER_SCRIPT = Path(__file__).with_name("smtp_server.py")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def outgoing(to: str = "huong.nt@xa.example", **changes: Any) -> OutgoingMessage:
    values: dict[str, Any] = {
        "idempotency_key": "rotation:42:2026-03-16:7",
        "message_id": "<rotation.42.2026-03-16.7@hygiene.test>",
        "to": to,
        "subject": "Nhắc đổi mật khẩu: Email công vụ (hạn 16/03/2026)",
        "text": "Chào chị Nguyễn Thị Hương,\nmật khẩu «Email công vụ» đến hạn đổi ngày 16/03/2026.",
    }
    return OutgoingMessage(**{**values, **changes})


class SmtpServer:
    """aiosmtpd in its own process; `.messages()` parses what it accepted."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.process: subprocess.Popen[str] | None = None
        self.port = 0

    def start(self, *flags: str, port: int = 0) -> "SmtpServer":
        self.directory.mkdir(parents=True, exist_ok=True)
        with (self.directory / "server.err").open("a") as errors:
            self.process = subprocess.Popen(
                [
                    *(sys.executable, str(SERVER_SCRIPT), "--port", str(port)),
                    *("--directory", str(self.directory), *flags),
                ],
                stdout=subprocess.PIPE,
                stderr=errors,
                text=True,
            )
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line.startswith("PORT "):
            self.stop()
            raise RuntimeError((self.directory / "server.err").read_text())
        self.port = int(line.split()[1])
        return self

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.terminate()
        self.process.wait(timeout=10)
        if self.process.stdout is not None:
            self.process.stdout.close()
        self.process = None

    def messages(self) -> list[EmailMessage]:
        files = sorted(self.directory.glob("*.eml"))
        parsed = [message_from_bytes(f.read_bytes(), policy=policy.default) for f in files]
        return [m for m in parsed if isinstance(m, EmailMessage)]

    def connections(self) -> int:
        log = self.directory / "connections.log"
        return len(log.read_text().splitlines()) if log.exists() else 0


@pytest.fixture
def smtp_server(tmp_path: Path) -> Iterator[SmtpServer]:
    server = SmtpServer(tmp_path / "smtp")
    yield server
    server.stop()


@dataclass(frozen=True)
class TlsFiles:
    cert: Path
    key: Path


@pytest.fixture(scope="session")
def tls_files(tmp_path_factory: pytest.TempPathFactory) -> TlsFiles:
    """A self-signed certificate for 127.0.0.1 (the venv has no `cryptography`: openssl CLI)."""
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            *("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2"),
            *("-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1"),
            *("-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"),
        ],
        check=True,
        capture_output=True,
    )
    return TlsFiles(cert, key)


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class HttpServer:
    """Answers each request with the next scripted (status, JSON) and records what it got."""

    url: str
    requests: list[Recorded] = field(default_factory=list)
    answers: deque[tuple[int, Any]] = field(default_factory=deque)
    delay: threading.Event | None = None

    def answer(self, status: int, body: Any) -> None:
        self.answers.append((status, body))


def _handler(state: HttpServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length)
            state.requests.append(Recorded("POST", self.path, dict(self.headers), body))
            if state.delay is not None:
                state.delay.wait(timeout=2)
            status, answer = state.answers.popleft() if state.answers else (200, {})
            payload = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: Any) -> None:
            return None

    return Handler


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = False  # server_close() then waits for every handler thread

    def handle_error(self, request: Any, client_address: Any) -> None:
        return None  # a client that timed out has gone: writing to it fails, as expected


@pytest.fixture
def http_server() -> Iterator[HttpServer]:
    state = HttpServer(url="")
    server = _QuietServer(("127.0.0.1", 0), _handler(state))
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    yield state
    if state.delay is not None:
        state.delay.set()
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)
