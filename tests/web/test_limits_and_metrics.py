"""Bounded input and private metrics (issue 13, items 6 and 10): body limits enforced before a
body is read, on the real `hygiene serve`, and `/metrics` behind `metrics.token`."""

import json
import socket
from pathlib import Path

from fastapi.testclient import TestClient
from pydantic import SecretStr

from hygiene.bootstrap import Deps, build_deps
from hygiene.settings import Settings
from hygiene.web.app import create_app
from tests.serve_helpers import serve_env, serving

MB = 1024 * 1024
ANSWER_TIMEOUT = 60  # seconds for the server's answer: generous, the machine may be loaded


def _exchange(base: str, head: bytes, body_chunks: int, chunk: bytes) -> tuple[bytes, int]:
    """Send `head`, then body chunks until the server answers; returns (answer, bytes sent)."""
    host, port = base.removeprefix("http://").split(":")
    sent = 0
    with socket.create_connection((host, int(port)), timeout=ANSWER_TIMEOUT) as connection:
        connection.sendall(head)
        connection.settimeout(0.05)
        for _ in range(body_chunks):
            try:
                answer = connection.recv(65536)
            except TimeoutError:
                answer = b""
            if answer:
                break
            try:
                connection.sendall(chunk)
            except OSError:
                break
            sent += len(chunk)
        connection.settimeout(ANSWER_TIMEOUT)
        answer = answer if answer else connection.recv(65536)
        try:
            while b"\r\n\r\n{" not in answer or not answer.rstrip().endswith(b"}"):
                more = connection.recv(65536)
                if not more:
                    break
                answer += more
        except OSError:
            pass
    return answer, sent


def test_an_anonymous_100_mb_json_body_is_refused_before_it_is_read(
    tmp_path: Path, db_url: str
) -> None:
    head = (
        b"POST /api/v1/acks HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        b"Accept-Language: en\r\nContent-Length: " + str(100 * MB).encode() + b"\r\n\r\n"
    )
    with serving(tmp_path, serve_env(db_url, tmp_path), "--no-scheduler") as served:
        answer, sent = _exchange(served.base, head, body_chunks=100, chunk=b" " * MB)

    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert b"too large" in answer
    assert sent < 20 * MB  # answered long before the body could have arrived


def test_a_chunked_body_is_cut_at_the_limit(tmp_path: Path, db_url: str) -> None:
    head = (
        b"POST /api/v1/acks HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        b"Transfer-Encoding: chunked\r\n\r\n"
    )
    piece = b" " * 16384
    chunk = f"{len(piece):x}\r\n".encode() + piece + b"\r\n"
    with serving(tmp_path, serve_env(db_url, tmp_path), "--no-scheduler") as served:
        answer, sent = _exchange(served.base, head, body_chunks=6400, chunk=chunk)

    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert "quá lớn" in answer.decode("utf-8", "replace")
    assert sent < 20 * MB


def test_the_upload_limit_is_configurable(deps: Deps, settings: Settings) -> None:
    small = settings.model_copy(update={"security": settings.security.model_copy(
        update={"upload_max_mb": 1})})  # fmt: skip
    app = create_app(build_deps(small, clock=deps.clock, engine=deps.engine))
    with TestClient(app) as client:
        refused = client.post(
            "/api/v1/import", files={"file": ("a.csv", b"x" * (2 * MB), "text/csv")}
        )

    assert refused.status_code == 413
    assert refused.json()["error"] == "limits.too_large"


def test_a_json_body_over_64_kb_is_refused(client: TestClient) -> None:
    body = json.dumps({"code": "A" * (70 * 1024)})

    refused = client.post(
        "/api/v1/acks", content=body, headers={"Content-Type": "application/json"}
    )

    assert refused.status_code == 413


def test_metrics_need_the_token_when_one_is_configured(deps: Deps, settings: Settings) -> None:
    private = settings.model_copy(update={"metrics": settings.metrics.model_copy(
        update={"token": SecretStr("prometheus-scrape-token-1234")})})  # fmt: skip
    app = create_app(build_deps(private, clock=deps.clock, engine=deps.engine))
    with TestClient(app) as client:
        anonymous = client.get("/metrics")
        wrong = client.get("/metrics", headers={"Authorization": "Bearer nope"})
        right = client.get(
            "/metrics", headers={"Authorization": "Bearer prometheus-scrape-token-1234"}
        )

    assert anonymous.status_code == wrong.status_code == 401
    assert right.status_code == 200
    assert "hygiene_" in right.text


def test_metrics_stay_open_without_a_token(client: TestClient) -> None:
    assert client.get("/metrics").status_code == 200
