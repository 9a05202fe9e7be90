"""Zalo tokens shared by instances through the database: one refresh at a time (row lock),
restarts resume from the stored token, an admin's new token wins, and nothing is stored in clear.

The fake OAuth server below behaves like Zalo's: a refresh token works once, and only the latest
access token is accepted. Each "instance" is a thread with its own event loop and its own store
on the same database, as two processes would be.
"""

import asyncio
import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

import pytest
from sqlalchemy import Engine, select

from hygiene.channels.base import ChannelError, Result
from hygiene.channels.models import ChannelToken
from hygiene.channels.token_store import DatabaseTokenStore
from hygiene.channels.zalo import MemoryTokenStore, Tokens, TokenStore, ZaloChannel
from hygiene.db import table
from hygiene.settings import Zalo
from tests.channels.conftest import outgoing
from tests.conftest import SECRET


@dataclass
class FakeZalo:
    url: str = ""
    refresh: str = "refresh-0"
    access: str = ""
    issued: int = 0
    refreshes: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def oauth(self, form: dict[str, list[str]]) -> dict[str, Any]:
        offered = form.get("refresh_token", [""])[0]
        time.sleep(0.2)  # Zalo's endpoint is slow enough for two instances to collide
        with self.lock:
            self.refreshes.append(offered)
            if offered != self.refresh:
                return {"error": -14014, "error_name": "Invalid refresh token"}
            self.issued += 1
            self.access, self.refresh = f"access-{self.issued}", f"refresh-{self.issued}"
            return {
                "access_token": self.access,
                "refresh_token": self.refresh,
                "expires_in": "90000",
            }

    def send(self, token: str) -> dict[str, Any]:
        if not token or token != self.access:
            return {"error": -124, "message": "Access token is invalid"}
        return {"error": 0, "message": "Success", "data": {"msg_id": f"m-{token}"}}


@pytest.fixture
def zalo() -> Iterator[FakeZalo]:
    state = FakeZalo()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            if self.path == "/v4/oa/access_token":
                answer = state.oauth(parse_qs(body.decode()))
            else:
                answer = state.send(self.headers.get("access_token", ""))
            payload = json.dumps(answer).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: Any) -> None:
            return None

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


def config(zalo: FakeZalo, refresh: str = "refresh-0") -> Zalo:
    return Zalo(
        enabled=True,
        base_url=zalo.url,
        oauth_url=zalo.url,
        app_id="4291763606",
        secret_key="app-secret",
        refresh_token=refresh,
        template_ids={"rotation": "238001"},
        timeout=5,
    )


def store(engine: Engine, refresh: str = "refresh-0") -> DatabaseTokenStore:
    return DatabaseTokenStore(
        engine, channel="zalo", secret=SECRET.encode(), initial=Tokens("", refresh)
    )


def instance(zalo: FakeZalo, tokens: TokenStore, refresh: str = "refresh-0") -> Result:
    async def run() -> Result:
        channel = ZaloChannel(config(zalo, refresh), store=tokens)
        try:
            return await channel.send(outgoing(to="+84912345678", zalo_template="rotation"))
        finally:
            await channel.close()

    return asyncio.run(run())


def together(*runs: Any) -> list[Result | BaseException]:
    """Run each callable in its own thread, started together; results or exceptions."""
    results: list[Result | BaseException] = [RuntimeError("did not run")] * len(runs)
    start = threading.Barrier(len(runs))

    def one(n: int) -> None:
        start.wait()
        try:
            results[n] = runs[n]()
        except BaseException as exc:  # collected for the assertion
            results[n] = exc

    threads = [threading.Thread(target=one, args=(n,)) for n in range(len(runs))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def test_two_instances_refresh_once_and_both_send(engine: Engine, zalo: FakeZalo) -> None:
    first, second = store(engine), store(engine)
    results = together(lambda: instance(zalo, first), lambda: instance(zalo, second))
    assert [r.provider_id if isinstance(r, Result) else r for r in results] == ["m-access-1"] * 2
    assert zalo.refreshes == ["refresh-0"]


def test_without_the_shared_store_the_second_refresh_is_refused(zalo: FakeZalo) -> None:
    """The failure the database store exists to prevent (and proof that the test above can fail)."""
    first, second = (
        MemoryTokenStore(Tokens("", "refresh-0")),
        MemoryTokenStore(Tokens("", "refresh-0")),
    )
    results = together(lambda: instance(zalo, first), lambda: instance(zalo, second))
    assert sum(isinstance(r, ChannelError) for r in results) == 1
    assert zalo.refreshes == ["refresh-0", "refresh-0"]


def test_a_restarted_instance_resumes_from_the_stored_token(engine: Engine, zalo: FakeZalo) -> None:
    instance(zalo, store(engine))
    result = instance(zalo, store(engine))  # a new process, same configuration (refresh-0 is void)
    assert result.provider_id == "m-access-1"
    assert zalo.refreshes == ["refresh-0"]


def test_a_newly_configured_refresh_token_replaces_the_stored_one(
    engine: Engine, zalo: FakeZalo
) -> None:
    instance(zalo, store(engine))
    zalo.refresh = "refresh-admin"  # the admin obtained a new one from Zalo's console
    result = instance(zalo, store(engine, "refresh-admin"), "refresh-admin")
    assert result.provider_id == "m-access-2"
    assert zalo.refreshes == ["refresh-0", "refresh-admin"]


def test_the_database_holds_no_token_in_clear(engine: Engine, zalo: FakeZalo) -> None:
    instance(zalo, store(engine))
    row = table(ChannelToken)
    with engine.connect() as connection:
        sealed, seed = connection.execute(select(row.c.sealed, row.c.seed)).one()
    assert sealed
    assert "access-1" not in sealed
    assert "refresh-1" not in sealed
    assert "refresh-0" not in seed
    loaded = asyncio.run(store(engine).load())
    assert loaded is not None
    assert (loaded.access_token, loaded.refresh_token) == ("access-1", "refresh-1")
    assert loaded.expires_at == pytest.approx(time.time() + 90000 - 300, abs=60)


def test_send_test_twice_refreshes_once_through_the_database(run_cli: Any, zalo: FakeZalo) -> None:
    env = {
        "HYGIENE_CHANNELS__ZALO__ENABLED": "true",
        "HYGIENE_CHANNELS__ZALO__BASE_URL": zalo.url,
        "HYGIENE_CHANNELS__ZALO__OAUTH_URL": zalo.url,
        "HYGIENE_CHANNELS__ZALO__APP_ID": "4291763606",
        "HYGIENE_CHANNELS__ZALO__SECRET_KEY": "app-secret",
        "HYGIENE_CHANNELS__ZALO__REFRESH_TOKEN": "refresh-0",
        "HYGIENE_CHANNELS__ZALO__TEMPLATE_IDS": '{"send_test": "238009"}',
    }
    for _ in range(2):
        result = run_cli("send-test", "--channel", "zalo", "--to", "0912345678", env=env)
        assert result.exit_code == 0, result.output
    assert zalo.refreshes == ["refresh-0"]
