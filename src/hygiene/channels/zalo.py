"""Zalo ZNS template messages: POST {base_url}/message/template with the OA access token.

Body: {phone: "84…", template_id, template_data: {…}, tracking_id}. The template id comes from
`channels.zalo.template_ids[message.zalo_template]`; tracking_id is the idempotency key (hashed
when longer than Zalo's 48 characters), so Zalo's logs and callbacks name our message.

Answers carry `error` (0 = sent) and `message`. Classification, after zalo.cloud's ZNS error table:
    PermanentError  -108 phone invalid, -110 Zalo too old, -111/-112 template data empty/invalid,
                    -114 user inactive or refusing ZNS, -118 no Zalo account, -119 cannot receive,
                    -139 user refused this kind of message; no template configured for the message
    ChannelDown     -101…-105 app invalid/inactive/secret/not linked to an OA, -109 template id
                    invalid, -115 out of quota, -117/-120 no permission, -125 OA invalid,
                    -144 daily quota used up; the access token still refused after one refresh
    TransientError  -100 unknown, anything unlisted, HTTP 429/5xx, timeouts
    -124 (access token invalid) or HTTP 401: refresh once, resend once, then ChannelDown.

Access tokens live ~25 h and are refreshed with the OAuth refresh token
(POST {oauth_url}/v4/oa/access_token, header secret_key, form app_id/refresh_token/grant_type).
Zalo refresh tokens are SINGLE USE: each refresh returns a new one and voids the old. Tokens
therefore sit behind the TokenStore protocol, whose `refreshing()` serialises refreshes. The
service uses token_store.DatabaseTokenStore: a sealed database row, locked during the refresh, so
one instance refreshes at a time and a restart resumes from the latest token. MemoryTokenStore
(an asyncio.Lock) is for one process without a database, and for tests.
"""

import asyncio
import hashlib
import time
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import Any, Protocol

import httpx

from hygiene.channels import http_api
from hygiene.channels.base import (
    ChannelDown,
    ChannelError,
    OutgoingMessage,
    PermanentError,
    Result,
    TransientError,
)
from hygiene.channels.common import bilingual, international_digits
from hygiene.settings import Zalo

TOKEN_INVALID = -124
PERMANENT = {-108, -110, -111, -112, -114, -118, -119, -139}
DOWN = {-101, -102, -103, -104, -105, -109, -115, -117, -120, -125, -144}
TRACKING_ID_MAX = 48
EXPIRY_MARGIN_SECONDS = 300  # refresh a little before Zalo's expiry, not after a refusal


@dataclass(frozen=True)
class Tokens:
    access_token: str
    refresh_token: str
    expires_at: float | None = None  # epoch seconds; None: use until Zalo refuses it


class TokenStore(Protocol):
    async def load(self) -> Tokens | None: ...

    async def save(self, tokens: Tokens) -> None: ...

    def refreshing(self) -> AbstractAsyncContextManager[Any]:
        """Held while one caller refreshes; others wait, then read the new tokens."""
        ...


class MemoryTokenStore:
    """Tokens in memory, one refresh at a time within this process (asyncio.Lock)."""

    def __init__(self, initial: Tokens | None = None) -> None:
        self._tokens = initial
        self._lock = asyncio.Lock()

    async def load(self) -> Tokens | None:
        return self._tokens

    async def save(self, tokens: Tokens) -> None:
        self._tokens = tokens

    def refreshing(self) -> AbstractAsyncContextManager[Any]:
        return self._lock


def initial_tokens(config: Zalo) -> Tokens | None:
    refresh = config.refresh_secret() or ""
    access = config.access_token.get_secret_value() if config.access_token else ""
    return Tokens(access, refresh) if refresh or access else None


class ZaloChannel:
    def __init__(
        self,
        config: Zalo,
        *,
        store: TokenStore | None = None,
        clock: Callable[[], float] = time.time,
        name: str = "zalo",
    ) -> None:
        self.name = name
        self.config = config
        self._secret = config.secret()
        self._store: TokenStore = store or MemoryTokenStore(initial_tokens(config))
        self._clock = clock
        self._client: httpx.AsyncClient | None = None
        self._known: set[str] = set()  # tokens seen, masked out of error reasons

    def __repr__(self) -> str:
        return f"ZaloChannel({self.config.base_url})"

    async def send(self, message: OutgoingMessage) -> Result:
        """Send the message's ZNS template, refreshing the access token once if Zalo refuses it."""
        body = self._body(message)
        if self._client is None:
            self._client = http_api.new_client(self.config.timeout)
        try:
            return await self._send(self._client, body)
        except ChannelError as exc:
            raise type(exc)(http_api.mask(exc.reason, [self._secret, *self._known])) from None

    async def close(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    def _body(self, message: OutgoingMessage) -> dict[str, Any]:
        name = message.zalo_template or ""
        template_id = self.config.template_ids.get(name)
        if not template_id:
            raise PermanentError(bilingual("channel.no_template", name=name))
        return {
            "phone": international_digits(message.to),
            "template_id": template_id,
            "template_data": dict(message.zalo_data),
            "tracking_id": tracking_id(message.idempotency_key),
        }

    async def _send(self, client: httpx.AsyncClient, body: dict[str, Any]) -> Result:
        token = await self._token(client)
        code, data, detail = await self._post(client, token, body)
        if code == TOKEN_INVALID:
            token = await self._refresh(client, stale=token)
            code, data, detail = await self._post(client, token, body)
            if code == TOKEN_INVALID:
                raise ChannelDown(detail)
        if code == 0:
            sent = data.get("data")
            msg_id = sent.get("msg_id", "") if isinstance(sent, dict) else ""
            return Result(str(msg_id), detail)
        if code in PERMANENT:
            raise PermanentError(detail)
        if code in DOWN:
            raise ChannelDown(detail)
        raise TransientError(detail)

    async def _post(
        self, client: httpx.AsyncClient, token: str, body: dict[str, Any]
    ) -> tuple[int | None, dict[str, Any], str]:
        url = f"{self.config.base_url.rstrip('/')}/message/template"
        response = await http_api.post(client, url, json=body, headers={"access_token": token})
        detail = http_api.answer(response)
        if response.status_code == 401:
            return TOKEN_INVALID, {}, detail
        data = http_api.json_body(response)
        code = data.get("error")
        return (code if isinstance(code, int) else None), data, detail

    async def _token(self, client: httpx.AsyncClient) -> str:
        tokens = await self._store.load()
        if tokens and tokens.access_token and not self._expired(tokens):
            self._known.add(tokens.access_token)
            return tokens.access_token
        return await self._refresh(client, stale=tokens.access_token if tokens else None)

    def _expired(self, tokens: Tokens) -> bool:
        return tokens.expires_at is not None and self._clock() >= tokens.expires_at

    async def _refresh(self, client: httpx.AsyncClient, *, stale: str | None) -> str:
        """A new access token, unless another task replaced `stale` while we waited."""
        async with self._store.refreshing():
            tokens = await self._store.load()
            if tokens and tokens.access_token not in ("", stale) and not self._expired(tokens):
                return tokens.access_token
            fresh = await self._ask_zalo(client, tokens.refresh_token if tokens else "")
            await self._store.save(fresh)
            return fresh.access_token

    async def _ask_zalo(self, client: httpx.AsyncClient, refresh_token: str) -> Tokens:
        if not (refresh_token and self.config.app_id and self._secret):
            raise ChannelDown(bilingual("channel.no_credentials", channel=self.name))
        self._known.add(refresh_token)
        url = f"{self.config.oauth_url.rstrip('/')}/v4/oa/access_token"
        form = {"app_id": self.config.app_id, "refresh_token": refresh_token}
        response = await http_api.post(
            client,
            url,
            data={**form, "grant_type": "refresh_token"},
            headers={"secret_key": self._secret},
        )
        data = http_api.json_body(response)
        access, refresh = data.get("access_token"), data.get("refresh_token")
        if not (isinstance(access, str) and access and isinstance(refresh, str) and refresh):
            reason = " ".join(
                str(data.get(k, "")) for k in ("error", "error_name", "error_description")
            )
            raise ChannelDown(bilingual("channel.token_refused", reason=reason.strip()))
        self._known.update((access, refresh))
        lifetime = int(data.get("expires_in") or 0)
        expires_at = self._clock() + lifetime - EXPIRY_MARGIN_SECONDS if lifetime else None
        return Tokens(access, refresh, expires_at)


def tracking_id(key: str) -> str:
    """The idempotency key, or a stable digest of it when Zalo would not accept its length."""
    if len(key) <= TRACKING_ID_MAX:
        return key
    return "h:" + hashlib.sha256(key.encode("utf-8")).hexdigest()[: TRACKING_ID_MAX - 2]
