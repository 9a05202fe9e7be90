"""SMS adapters against a local HTTP server answering in each provider's documented shapes."""

import asyncio
import base64
import hashlib
import hmac
import threading
from typing import Any

import pytest

from hygiene.channels.base import ChannelDown, PermanentError, Result, TransientError
from hygiene.channels.sms import EsmsChannel, SmsChannel, SpeedSmsChannel, WebhookSmsChannel
from hygiene.settings import Sms
from tests.channels.conftest import HttpServer, free_port, outgoing

PHONE = "+84912345678"
ESMS_OK = {"CodeResult": "100", "CountRegenerate": 0, "SMSID": "d533459ee42b2b9525ba9eabf6a8156"}
SPEEDSMS_OK = {
    "status": "success",
    "code": "00",
    "data": {"tranId": 123456, "totalSMS": 1, "totalPrice": 250, "invalidPhone": []},
}
TEXT = "Nhắc đổi mật khẩu «Email công vụ» trước 16/03/2026."


def send(channel: SmsChannel, **changes: Any) -> Result:
    async def run() -> Result:
        try:
            return await channel.send(outgoing(**{"to": PHONE, "sms_text": TEXT, **changes}))
        finally:
            await channel.close()

    return asyncio.run(run())


def esms(server: HttpServer, **changes: Any) -> EsmsChannel:
    values = {"provider": "esms", "base_url": server.url, "api_key": "KEY1", "timeout": 2}
    return EsmsChannel(Sms(**{**values, "secret_key": "SECRET1", "brandname": "UBND", **changes}))


def speedsms(server: HttpServer) -> SpeedSmsChannel:
    return SpeedSmsChannel(
        Sms(provider="speedsms", base_url=server.url, api_key="TOKEN1", brandname="UBND")
    )


def webhook(url: str, **changes: Any) -> WebhookSmsChannel:
    return WebhookSmsChannel(
        Sms(**{"provider": "webhook", "base_url": url, "secret_key": "hook-secret", **changes})
    )


def test_it_sends_esms_the_documented_fields(http_server: HttpServer) -> None:
    http_server.answer(200, ESMS_OK)

    result = send(esms(http_server))

    [request] = http_server.requests
    assert request.path == "/SendMultipleMessage_V4_post_json/"
    assert request.json() == {
        "ApiKey": "KEY1",
        "SecretKey": "SECRET1",
        "Phone": "0912345678",
        "Content": 'Nhac doi mat khau "Email cong vu" truoc 16/03/2026.',
        "Brandname": "UBND",
        "SmsType": "2",
        "IsUnicode": "0",
        "Sandbox": "0",
        "RequestId": "rotation:42:2026-03-16:7",
    }
    assert result.provider_id == "d533459ee42b2b9525ba9eabf6a8156"


def test_it_sends_esms_unicode_when_configured(http_server: HttpServer) -> None:
    http_server.answer(200, ESMS_OK)

    send(esms(http_server, unicode=True))

    assert http_server.requests[0].json()["Content"] == TEXT
    assert http_server.requests[0].json()["IsUnicode"] == "1"


def test_it_counts_an_esms_duplicate_request_id_as_delivered(http_server: HttpServer) -> None:
    http_server.answer(200, {"CodeResult": "124", "ErrorMessage": "Request exist 1"})

    result = send(esms(http_server))

    assert "Request exist" in result.detail


def test_it_fails_permanently_when_esms_says_the_phone_is_invalid(
    http_server: HttpServer,
) -> None:
    http_server.answer(200, {"CodeResult": "108", "ErrorMessage": "Phone not valid"})

    with pytest.raises(PermanentError, match="Phone not valid"):
        send(esms(http_server))


def test_it_stops_the_channel_when_the_esms_balance_is_exhausted(http_server: HttpServer) -> None:
    http_server.answer(200, {"CodeResult": "103", "ErrorMessage": "Balance not enough"})

    with pytest.raises(ChannelDown, match="Balance not enough"):
        send(esms(http_server))


def test_it_masks_the_secret_key_if_the_provider_echoes_it(http_server: HttpServer) -> None:
    http_server.answer(200, {"CodeResult": "101", "ErrorMessage": "Authorize Failed SECRET1"})

    with pytest.raises(ChannelDown) as caught:
        send(esms(http_server))

    assert "SECRET1" not in str(caught.value)
    assert "Authorize Failed" in caught.value.reason


def test_it_retries_after_a_server_error(http_server: HttpServer) -> None:
    http_server.answer(502, {"error": "bad gateway"})

    with pytest.raises(TransientError, match="HTTP 502"):
        send(esms(http_server))


def test_it_refuses_a_non_vietnamese_number_for_esms_without_calling_it(
    http_server: HttpServer,
) -> None:
    channel = esms(http_server)

    async def run() -> None:
        try:
            await channel.send(outgoing(to="+33612345678", sms_text=TEXT))
        finally:
            await channel.close()

    with pytest.raises(PermanentError, match=r"\+84"):
        asyncio.run(run())
    assert http_server.requests == []


def test_it_refuses_a_text_longer_than_max_segments_without_calling(
    http_server: HttpServer,
) -> None:
    with pytest.raises(PermanentError, match="4 parts"):
        send(esms(http_server, max_segments=3), sms_text="x" * 460)
    assert http_server.requests == []


def test_it_sends_speedsms_the_documented_request(http_server: HttpServer) -> None:
    http_server.answer(200, SPEEDSMS_OK)

    result = send(speedsms(http_server))

    [request] = http_server.requests
    assert request.path == "/sms/send"
    assert request.headers["Authorization"] == "Basic " + base64.b64encode(b"TOKEN1:x").decode()
    assert request.json() == {
        "to": ["84912345678"],
        "content": 'Nhac doi mat khau "Email cong vu" truoc 16/03/2026.',
        "sms_type": 3,
        "sender": "UBND",
    }
    assert result.provider_id == "123456"


def test_it_fails_permanently_when_speedsms_says_the_phone_is_invalid(
    http_server: HttpServer,
) -> None:
    answer = {"status": "error", "code": "105", "message": "Phone number invalid"}
    http_server.answer(200, {**answer, "invalidPhone": ["84912345678"]})

    with pytest.raises(PermanentError, match="Phone number invalid"):
        send(speedsms(http_server))


def test_it_fails_permanently_when_speedsms_lists_the_phone_as_invalid(
    http_server: HttpServer,
) -> None:
    data = {"tranId": 123457, "totalSMS": 0, "invalidPhone": ["84912345678"]}
    http_server.answer(200, {"status": "success", "code": "00", "data": data})

    with pytest.raises(PermanentError):
        send(speedsms(http_server))


def test_it_stops_the_channel_when_the_speedsms_balance_is_exhausted(
    http_server: HttpServer,
) -> None:
    http_server.answer(200, {"status": "error", "code": "300", "message": "balance not enough"})

    with pytest.raises(ChannelDown, match="balance not enough"):
        send(speedsms(http_server))


def test_it_retries_when_speedsms_rate_limits(http_server: HttpServer) -> None:
    http_server.answer(429, {"name": "Too Many Requests", "message": "Rate limit exceeded."})

    with pytest.raises(TransientError, match="HTTP 429"):
        send(speedsms(http_server))


def test_it_signs_the_webhook_body_with_hmac_sha256(http_server: HttpServer) -> None:
    http_server.answer(202, {"id": "gw-77"})

    result = send(webhook(http_server.url + "/sms", unicode=True))

    [request] = http_server.requests
    expected = hmac.new(b"hook-secret", request.body, hashlib.sha256).hexdigest()
    assert request.headers["X-Hygiene-Signature"] == f"sha256={expected}"
    assert request.json() == {"id": "rotation:42:2026-03-16:7", "to": PHONE, "text": TEXT}
    assert result.provider_id == "gw-77"


def test_it_fails_permanently_when_the_webhook_rejects_the_number(
    http_server: HttpServer,
) -> None:
    http_server.answer(422, {"error": "invalid phone"})

    with pytest.raises(PermanentError, match="invalid phone"):
        send(webhook(http_server.url))


def test_it_stops_the_channel_when_the_webhook_refuses_the_signature(
    http_server: HttpServer,
) -> None:
    http_server.answer(401, {"error": "bad signature"})

    with pytest.raises(ChannelDown, match="HTTP 401"):
        send(webhook(http_server.url))


def test_it_retries_after_a_timeout(http_server: HttpServer) -> None:
    http_server.delay = threading.Event()  # the server holds the answer past the timeout

    with pytest.raises(TransientError, match="timeout"):
        send(webhook(http_server.url, timeout=0.2))


def test_it_retries_when_the_gateway_is_unreachable() -> None:
    with pytest.raises(TransientError, match="cannot reach"):
        send(webhook(f"http://127.0.0.1:{free_port()}/sms"))
