"""A real HTTP server on 127.0.0.1 that records what the probe POSTs."""

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest


@dataclass
class Received:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class ReportServer:
    url: str
    status: int = 201
    location: str = ""
    requests: list[Received] = field(default_factory=list)

    def endpoint(self, path: str = "/api/v1/probe/reports") -> str:
        return self.url + path


@pytest.fixture
def report_server() -> Iterator[ReportServer]:
    state = ReportServer(url="")

    class Handler(BaseHTTPRequestHandler):
        def _record(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            state.requests.append(
                Received(self.command, self.path, dict(self.headers), self.rfile.read(length))
            )
            body = b'{"ok": true}' if state.status < 300 else b'{"error": "boom"}'
            self.send_response(state.status)
            if state.location:
                self.send_header("Location", state.location)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_POST = _record
        do_GET = _record

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
