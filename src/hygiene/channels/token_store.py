"""Zalo OAuth tokens shared by every instance: one database row per channel, sealed, locked
while one instance refreshes.

Zalo refresh tokens are single use, so two instances refreshing with the same one would leave
one of them (and, after a restart, possibly both) with a voided token. `refreshing()` therefore
holds the row's lock for the whole refresh: SELECT … FOR UPDATE on PostgreSQL, the write lock of
BEGIN IMMEDIATE on SQLite. The others wait, then read the fresh tokens and use them. load() and
save() inside `refreshing()` use the locking connection.

The row is sealed with Fernet (AES-128-CBC + HMAC) under a key derived from the service secret,
so a database dump holds no usable token. It also keeps a fingerprint of the configured refresh
token: when an admin configures a new one (the stored one was voided), the configuration wins.

The lock is taken with a blocking call on the event loop, like every short database call of the
deliverer; it only waits while another instance is inside Zalo's token endpoint (~once a day).
"""

import asyncio
import base64
import hashlib
import hmac
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime

from cryptography.fernet import Fernet, InvalidToken
from sqlalchemy import Connection, Engine, select, update

from hygiene.channels.models import ChannelToken
from hygiene.channels.zalo import Tokens
from hygiene.db import insert_ignore, table


def sealing_key(secret: bytes) -> bytes:
    return base64.urlsafe_b64encode(
        hmac.new(secret, b"hygiene/channel-token/v1", hashlib.sha256).digest()
    )


class DatabaseTokenStore:
    def __init__(
        self, engine: Engine, *, channel: str, secret: bytes, initial: Tokens | None
    ) -> None:
        self.engine, self.channel, self.initial = engine, channel, initial
        self._fernet = Fernet(sealing_key(secret))
        self._seed_key = hmac.new(secret, b"hygiene/channel-token-seed/v1", hashlib.sha256).digest()
        self._seed = self._fingerprint(initial.refresh_token if initial else "")
        self._local = asyncio.Lock()  # tasks of this process queue here, not on the database
        self._held: Connection | None = None

    async def load(self) -> Tokens | None:
        if self._held is not None:
            return self._read(self._held)
        with self.engine.connect() as connection:
            return self._read(connection)

    async def save(self, tokens: Tokens) -> None:
        if self._held is not None:
            self._write(self._held, tokens)
            return
        with self.engine.begin() as connection:
            self._ensure_row(connection)
            self._write(connection, tokens)

    @asynccontextmanager
    async def refreshing(self) -> AsyncIterator[None]:
        async with self._local:
            with self.engine.begin() as connection:  # SQLite: BEGIN IMMEDIATE (db.py)
                self._ensure_row(connection)
                row = table(ChannelToken)
                lock = select(row.c.channel).where(row.c.channel == self.channel)
                if connection.dialect.name == "postgresql":
                    lock = lock.with_for_update()
                connection.execute(lock)
                self._held = connection
                try:
                    yield
                finally:
                    self._held = None

    def _fingerprint(self, refresh_token: str) -> str:
        return hmac.new(self._seed_key, refresh_token.encode(), hashlib.sha256).hexdigest()

    def _read(self, connection: Connection) -> Tokens | None:
        row = table(ChannelToken)
        found = connection.execute(
            select(row.c.sealed, row.c.seed).where(row.c.channel == self.channel)
        ).first()
        if found is None or not found.sealed or found.seed != self._seed:
            return self.initial  # nothing stored yet, or an admin configured a new token
        try:
            data = json.loads(self._fernet.decrypt(found.sealed.encode()))
        except (InvalidToken, ValueError):
            return self.initial  # sealed under another secret key: start from the configuration
        return Tokens(data["access"], data["refresh"], data.get("expires_at"))

    def _write(self, connection: Connection, tokens: Tokens) -> None:
        plain = {
            "access": tokens.access_token,
            "refresh": tokens.refresh_token,
            "expires_at": tokens.expires_at,
        }
        sealed = self._fernet.encrypt(json.dumps(plain).encode()).decode()
        row = table(ChannelToken)
        connection.execute(
            update(row)
            .where(row.c.channel == self.channel)
            .values(sealed=sealed, seed=self._seed, updated_at=_now())
        )

    def _ensure_row(self, connection: Connection) -> None:
        empty = {"channel": self.channel, "sealed": "", "seed": self._seed, "updated_at": _now()}
        insert_ignore(connection, ChannelToken, empty, ["channel"])


def _now() -> datetime:
    return datetime.now(UTC)
