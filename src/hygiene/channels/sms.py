"""SMS through a Vietnamese gateway (eSMS.vn, SpeedSMS) or a generic signed webhook.

Every adapter sends one message to one E.164 number, converted to what the provider expects:
eSMS 0912345678, SpeedSMS 84912345678, the webhook +84912345678. The text is folded to ASCII
unless `channels.sms.unicode` (see sms_text.py); a text above `max_segments` parts is refused
with a PermanentError before any request.

Idempotency: eSMS receives the idempotency key as RequestId and answers 124 for a repeat, which
counts as delivered; the webhook receives it as `id` and should dedupe on it. SpeedSMS has no
request id, so a resend after a lost answer can reach the phone twice (visible in its logs).

Classification (the provider's answer verbatim as the reason):
    PermanentError  invalid or blocked phone, text the provider refuses (encoding, length)
    ChannelDown     bad credentials, balance or quota exhausted, brandname/template/IP not
                    registered: an admin must act
    TransientError  HTTP 429/5xx, timeouts, unreachable host, unknown provider codes
"""

import hashlib
import hmac
import json
from typing import Any

import httpx

from hygiene.channels import http_api, sms_text
from hygiene.channels.base import (
    ChannelDown,
    ChannelError,
    OutgoingMessage,
    PermanentError,
    Result,
    TransientError,
)
from hygiene.channels.common import bilingual, international_digits, vietnamese_national
from hygiene.settings import Sms

ESMS_URL = "https://rest.esms.vn/MainService.svc/json"
SPEEDSMS_URL = "https://api.speedsms.vn/index.php"
SIGNATURE_HEADER = "X-Hygiene-Signature"

# eSMS CodeResult values (developers.esms.vn, "Table of error codes"); others are transient.
ESMS_DELIVERED = {"100", "124"}  # 124: this RequestId was already accepted
ESMS_PERMANENT = {"99", "108", "177"}  # blocked number, bad number, carrier not registered
ESMS_DOWN = {"101", "102", "103", "104", "140", "146"}  # keys, price list, balance, brandname,
# IP allow-list, unregistered customer-care template
# SpeedSMS error codes (speedsms.vn/sms-api); others (500, unknown) are transient.
SPEEDSMS_PERMANENT = {"105", "110", "113"}  # invalid phone, unsupported encoding, too long
SPEEDSMS_DOWN = {"007", "008", "009", "101", "300"}  # IP locked, account blocked or not
# allowed, missing parameters (configuration), balance exhausted


class SmsChannel:
    """Shared behaviour; subclasses implement `_deliver` for one provider."""

    def __init__(self, config: Sms, *, name: str = "sms") -> None:
        self.name = name
        self.config = config
        self._key = config.key()
        self._secret = config.secret()
        self._client: httpx.AsyncClient | None = None

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.config.base_url or ''})"

    async def send(self, message: OutgoingMessage) -> Result:
        """Check and fold the text, then deliver it or raise a classified ChannelError."""
        text = self.prepare(message)
        if self._client is None:
            self._client = http_api.new_client(self.config.timeout)
        try:
            return await self._deliver(self._client, message, text)
        except ChannelError as exc:
            masked = http_api.mask(exc.reason, [self._key, self._secret])
            raise type(exc)(masked) from None

    async def close(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    def prepare(self, message: OutgoingMessage) -> sms_text.SmsText:
        prepared = sms_text.prepare(message.sms_text or message.text, unicode=self.config.unicode)
        if prepared.segments == 0:
            raise PermanentError(bilingual("channel.sms_empty"))
        if prepared.segments > self.config.max_segments:
            raise PermanentError(
                bilingual(
                    "channel.sms_too_long",
                    segments=prepared.segments,
                    encoding=prepared.encoding,
                    max=self.config.max_segments,
                )
            )
        return prepared

    def _need(self, value: str | None) -> str:
        """A configured credential or URL; ChannelDown (an admin must act) when it is missing."""
        if not value:
            raise ChannelDown(bilingual("channel.no_credentials", channel=self.name))
        return value

    async def _deliver(
        self, client: httpx.AsyncClient, message: OutgoingMessage, text: sms_text.SmsText
    ) -> Result:
        raise NotImplementedError


class EsmsChannel(SmsChannel):
    """eSMS.vn SendMultipleMessage_V4_post_json: one number per request, RequestId = our key."""

    async def _deliver(
        self, client: httpx.AsyncClient, message: OutgoingMessage, text: sms_text.SmsText
    ) -> Result:
        body: dict[str, Any] = {
            "ApiKey": self._need(self._key),
            "SecretKey": self._need(self._secret),
            "Phone": vietnamese_national(message.to),
            "Content": text.text,
            "SmsType": self.config.sms_type or "2",
            "IsUnicode": "1" if text.encoding == "ucs2" else "0",
            "Sandbox": "1" if self.config.sandbox else "0",
            "RequestId": message.idempotency_key,
        }
        if self.config.brandname:
            body["Brandname"] = self.config.brandname
        url = f"{(self.config.base_url or ESMS_URL).rstrip('/')}/SendMultipleMessage_V4_post_json/"
        response = await http_api.post(client, url, json=body)
        data = http_api.json_body(response)
        code = str(data.get("CodeResult", ""))
        if code in ESMS_DELIVERED:
            return Result(
                str(data.get("SMSID") or message.idempotency_key), http_api.answer(response)
            )
        raise _classify(code, http_api.answer(response), ESMS_PERMANENT, ESMS_DOWN)


class SpeedSmsChannel(SmsChannel):
    """SpeedSMS POST /sms/send with the access token as the basic-auth user."""

    async def _deliver(
        self, client: httpx.AsyncClient, message: OutgoingMessage, text: sms_text.SmsText
    ) -> Result:
        token = self._need(self._key)
        phone = international_digits(message.to)
        sms_type = self.config.sms_type or ("3" if self.config.brandname else "4")  # 4: "Notify"
        body = {
            "to": [phone],
            "content": text.text,
            "sms_type": int(sms_type) if sms_type.isdigit() else sms_type,
            "sender": self.config.brandname or "",
        }
        url = f"{(self.config.base_url or SPEEDSMS_URL).rstrip('/')}/sms/send"
        response = await http_api.post(client, url, json=body, auth=(token, "x"))
        if response.status_code in (401, 403):
            raise ChannelDown(f"HTTP {response.status_code}: {http_api.answer(response)}")
        data = http_api.json_body(response)
        detail = http_api.answer(response)
        if data.get("status") != "success":
            code = str(data.get("code", ""))
            raise _classify(code, detail, SPEEDSMS_PERMANENT, SPEEDSMS_DOWN)
        result = data.get("data") or {}
        if phone in (result.get("invalidPhone") or []):
            raise PermanentError(detail)
        return Result(str(result.get("tranId", "")), detail)


class WebhookSmsChannel(SmsChannel):
    """POST {id, to, text} as JSON to `base_url`, signed: X-Hygiene-Signature: sha256=<hex>,
    the HMAC-SHA256 of the exact body bytes with `secret_key`. 2xx is accepted (the JSON `id`
    of the answer, if any, is the provider id); 400/404/410/422 permanent; 401/402/403 down."""

    async def _deliver(
        self, client: httpx.AsyncClient, message: OutgoingMessage, text: sms_text.SmsText
    ) -> Result:
        url, secret = self._need(self.config.base_url), self._need(self._secret)
        international_digits(message.to)  # refuse anything that is not E.164
        payload = {"id": message.idempotency_key, "to": message.to, "text": text.text}
        body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        headers = {"Content-Type": "application/json", SIGNATURE_HEADER: sign(body, secret)}
        response = await http_api.post(client, url, content=body, headers=headers)
        detail = http_api.answer(response)
        status = response.status_code
        if 200 <= status < 300:
            try:
                answered = response.json()
            except ValueError:
                answered = None
            provider_id = answered.get("id") if isinstance(answered, dict) else None
            return Result(str(provider_id or message.idempotency_key), detail)
        if status in (401, 402, 403):
            raise ChannelDown(f"HTTP {status}: {detail}")
        if status in (400, 404, 410, 422):
            raise PermanentError(f"HTTP {status}: {detail}")
        raise TransientError(f"HTTP {status}: {detail}")


def sign(body: bytes, secret: str) -> str:
    """The webhook signature header value for `body`."""
    digest = hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def _classify(code: str, detail: str, permanent: set[str], down: set[str]) -> ChannelError:
    if code in permanent:
        return PermanentError(detail)
    if code in down:
        return ChannelDown(detail)
    return TransientError(detail)


def build_sms_channel(config: Sms, *, name: str = "sms") -> SmsChannel | None:
    """The adapter for `channels.sms.provider`, or None when it is "none"."""
    adapters: dict[str, type[SmsChannel]] = {
        "esms": EsmsChannel,
        "speedsms": SpeedSmsChannel,
        "webhook": WebhookSmsChannel,
    }
    adapter = adapters.get(config.provider)
    return adapter(config, name=name) if adapter else None
