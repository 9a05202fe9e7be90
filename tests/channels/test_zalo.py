"""ZaloChannel against a local HTTP server answering like ZNS and Zalo OAuth."""

import asyncio
from typing import Any
from urllib.parse import parse_qs

import pytest

from hygiene.channels.base import ChannelDown, PermanentError, Result, TransientError
from hygiene.channels.zalo import MemoryTokenStore, Tokens, ZaloChannel, tracking_id
from hygiene.settings import Zalo
from tests.channels.conftest import HttpServer, outgoing

SENT = {
    "error": 0,
    "message": "Success",
    "data": {"msg_id": "a1b2c3", "sent_time": "1700000000000", "quota": {"remainingQuota": "99"}},
}
REFRESHED = {"access_token": "access-2", "refresh_token": "refresh-2", "expires_in": "90000"}
NOW = 1_800_000_000.0


def channel(server: HttpServer, store: MemoryTokenStore | None = None) -> ZaloChannel:
    config = Zalo(
        enabled=True,
        base_url=server.url,
        oauth_url=server.url,
        app_id="4291763606",
        secret_key="app-secret",
        access_token="access-1",
        refresh_token="refresh-1",
        template_ids={"rotation": "238001"},
        timeout=2,
    )
    return ZaloChannel(config, store=store, clock=lambda: NOW)


def message(**changes: Any) -> Any:
    values = {"to": "+84912345678", "zalo_template": "rotation", "zalo_data": {"ten": "Hương"}}
    return outgoing(**{**values, **changes})


def send(zalo: ZaloChannel, count: int = 1) -> list[Result]:
    async def run() -> list[Result]:
        try:
            return list(await asyncio.gather(*(zalo.send(message()) for _ in range(count))))
        finally:
            await zalo.close()

    return asyncio.run(run())


def test_it_sends_the_template_with_phone_and_tracking_id(http_server: HttpServer) -> None:
    http_server.answer(200, SENT)

    [result] = send(channel(http_server))

    [request] = http_server.requests
    assert request.path == "/message/template"
    assert request.headers["access_token"] == "access-1"
    assert request.json() == {
        "phone": "84912345678",
        "template_id": "238001",
        "template_data": {"ten": "Hương"},
        "tracking_id": "rotation:42:2026-03-16:7",
    }
    assert result.provider_id == "a1b2c3"


def test_it_refreshes_the_token_once_when_zalo_refuses_it(http_server: HttpServer) -> None:
    http_server.answer(200, {"error": -124, "message": "Access token is invalid"})
    http_server.answer(200, REFRESHED)
    http_server.answer(200, SENT)

    send(channel(http_server))

    _, oauth, second = http_server.requests
    assert oauth.path == "/v4/oa/access_token"
    assert oauth.headers["secret_key"] == "app-secret"
    assert parse_qs(oauth.body.decode()) == {
        "app_id": ["4291763606"],
        "refresh_token": ["refresh-1"],
        "grant_type": ["refresh_token"],
    }
    assert second.headers["access_token"] == "access-2"


def test_it_keeps_the_new_refresh_token_in_the_store(http_server: HttpServer) -> None:
    store = MemoryTokenStore(Tokens("", "refresh-1"))
    http_server.answer(200, REFRESHED)
    http_server.answer(200, SENT)

    send(channel(http_server, store))

    assert asyncio.run(store.load()) == Tokens("access-2", "refresh-2", NOW + 90000 - 300)


def test_it_refreshes_only_once_for_concurrent_sends(http_server: HttpServer) -> None:
    store = MemoryTokenStore(Tokens("access-old", "refresh-1", expires_at=NOW - 1))
    http_server.answer(200, REFRESHED)
    for _ in range(5):
        http_server.answer(200, SENT)

    send(channel(http_server, store), count=5)

    paths = [r.path for r in http_server.requests]
    assert paths.count("/v4/oa/access_token") == 1
    assert paths.count("/message/template") == 5


def test_it_stops_when_the_refreshed_token_is_refused_too(http_server: HttpServer) -> None:
    http_server.answer(200, {"error": -124, "message": "Access token is invalid"})
    http_server.answer(200, REFRESHED)
    http_server.answer(200, {"error": -124, "message": "Access token is invalid"})

    with pytest.raises(ChannelDown, match="Access token is invalid"):
        send(channel(http_server))


def test_it_stops_without_revealing_tokens_when_the_refresh_is_refused(
    http_server: HttpServer,
) -> None:
    http_server.answer(200, {"error": -124, "message": "Access token is invalid"})
    http_server.answer(
        200, {"error": -14014, "error_name": "Invalid refresh token refresh-1 app-secret"}
    )

    with pytest.raises(ChannelDown) as caught:
        send(channel(http_server))

    assert "-14014" in caught.value.reason
    assert not {"refresh-1", "app-secret", "access-1"} & set(caught.value.reason.split())


def test_it_fails_permanently_for_an_invalid_phone(http_server: HttpServer) -> None:
    http_server.answer(200, {"error": -108, "message": "Phone number invalid"})

    with pytest.raises(PermanentError, match="Phone number invalid"):
        send(channel(http_server))


def test_it_stops_the_channel_when_the_quota_is_exhausted(http_server: HttpServer) -> None:
    http_server.answer(200, {"error": -115, "message": "Out of quota"})

    with pytest.raises(ChannelDown, match="Out of quota"):
        send(channel(http_server))


def test_it_retries_an_unknown_zalo_error(http_server: HttpServer) -> None:
    http_server.answer(200, {"error": -100, "message": "Unknown error"})

    with pytest.raises(TransientError, match="Unknown error"):
        send(channel(http_server))


def test_it_retries_after_a_server_error(http_server: HttpServer) -> None:
    http_server.answer(503, {"error": -1, "message": "busy"})

    with pytest.raises(TransientError, match="HTTP 503"):
        send(channel(http_server))


def test_it_fails_permanently_without_a_configured_template(http_server: HttpServer) -> None:
    zalo = channel(http_server)

    async def run() -> None:
        try:
            await zalo.send(message(zalo_template="digest"))
        finally:
            await zalo.close()

    with pytest.raises(PermanentError, match="digest"):
        asyncio.run(run())
    assert http_server.requests == []


def test_it_hashes_a_tracking_id_longer_than_zalo_accepts() -> None:
    long_key = "rotation:" + "x" * 60

    assert len(tracking_id(long_key)) == 48
    assert tracking_id(long_key) == tracking_id(long_key)
