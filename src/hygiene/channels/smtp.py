"""Email through a pool of reused SMTP connections (aiosmtplib), one recipient per message.

Pool. `pool_size` connections, opened on first use and kept: one SMTP connection carries one
transaction at a time, so concurrency is the pool size; the deliverer keeps up to
`delivery.concurrency` sends in flight to use them. With STARTTLS and AUTH the pool of 4 measured
~5.6× a connection per message (bench/deliver.py, README). Idle connections are reused most
recently used first, so a quiet service keeps few of them open. A connection the server closed
while idle is noticed before or at MAIL FROM, when nothing has been accepted yet, and is reopened
once, transparently; a disconnect later in the transaction is a TransientError (the caller retries;
the same Message-ID makes a rare duplicate visible).

Security (`channels.smtp.security`):
    tls       implicit TLS from the first byte (port 465)
    starttls  STARTTLS is mandatory: a server that does not offer it is ChannelDown, never a
              silent fallback to plaintext (aiosmtplib's default start_tls=None would fall back)
    none      plaintext, for a relay on the same host or network only
Certificates are always verified, against `ca_bundle` alone when it is set (an internal CA), else
against the system store. AUTH runs when `username` is set; the password is read once at start-up
and appears in no exception, reason or log line.

Classification, keeping the server's answer ("450 4.2.0 greylisted …") as the reason:
    TransientError  4xx anywhere, timeouts, refused or dropped connections
    PermanentError  5xx for the recipient (RCPT) or the message (DATA)
    ChannelDown     5xx authentication, TLS failures, no STARTTLS, 5xx greeting/EHLO/MAIL FROM
                    (the sender is refused, so nothing else can go either)

A channel object belongs to one event loop: its pool is created on the first send and dropped
by close().
"""

import asyncio
import contextlib
import re
import ssl
from typing import NoReturn

import aiosmtplib
from aiosmtplib import SMTPResponse
from aiosmtplib.email import quote_address

from hygiene.channels.base import (
    ChannelDown,
    ChannelError,
    OutgoingMessage,
    PermanentError,
    Result,
    TransientError,
)
from hygiene.channels.email_message import to_wire
from hygiene.settings import Smtp

QUIT_TIMEOUT = 2.0
_LINE_END = re.compile(rb"\r\n|\r|\n")


class _IdleConnectionLost(Exception):
    """MAIL FROM found the connection closed: nothing was accepted, reconnecting is safe."""


class _Client(aiosmtplib.SMTP):
    """aiosmtplib.SMTP whose close() aborts the transport instead of closing it gracefully.

    A graceful close of a TLS connection sends close_notify and closes the socket only when
    the server's own close_notify arrives (or 30 s later); on a loop that stops first, the
    socket stays open until the garbage collector finds it. Every aiosmtplib path that gives
    a connection up (a refused login, a timeout, a lost connection, QUIT's reply) calls close(),
    and each comes after the session has ended, so nothing is lost by aborting: the socket is
    closed on the loop's next turn.
    """

    def close(self) -> None:
        if isinstance(self.transport, asyncio.WriteTransport):
            self.transport.abort()
        super().close()


class SmtpChannel:
    def __init__(self, config: Smtp, *, name: str = "smtp") -> None:
        if not config.host:
            raise ValueError("SmtpChannel needs channels.smtp.host")
        self.name = name
        self.config = config
        self._host = config.host
        self._password = config.secret() if config.username else None
        self._idle: asyncio.LifoQueue[aiosmtplib.SMTP] | None = None
        self._clients: list[aiosmtplib.SMTP] = []
        self._tls: ssl.SSLContext | None = None
        # MAIL's argument, quoted once by aiosmtplib's rules (ValueError for an address that
        # cannot go on a command line; settings refuse one before it gets here)
        self._mail_from = b"FROM:" + quote_address(config.from_address).encode("ascii")

    def __repr__(self) -> str:
        return f"SmtpChannel({self._host}:{self.config.port}, {self.config.security})"

    async def send(self, message: OutgoingMessage) -> Result:
        """Deliver `message` to its one recipient, or raise a classified ChannelError."""
        payload = to_wire(
            message, from_address=self.config.from_address, from_name=self.config.from_name
        )
        idle = self._pool()
        client = await idle.get()
        try:
            detail = await self._send_on(client, message.to, payload)
        except ChannelError:
            raise  # classified; the connection was reset or closed on the way
        except BaseException:
            client.close()  # cancelled mid-transaction: the session state is unknown
            raise
        finally:
            idle.put_nowait(client)
        return Result(provider_id=message.message_id, detail=detail)

    async def close(self) -> None:
        """Say QUIT on every open connection and forget the pool; the sockets are closed
        when it returns."""
        clients, self._clients, self._idle = self._clients, [], None
        for client in clients:
            if client.is_connected:
                with contextlib.suppress(aiosmtplib.SMTPException, OSError):  # closing anyway
                    await client.quit(timeout=QUIT_TIMEOUT)
            client.close()
        await asyncio.sleep(0)  # one turn of the loop: the aborted transports close their sockets

    def _pool(self) -> "asyncio.LifoQueue[aiosmtplib.SMTP]":
        if self._idle is None:
            self._idle = asyncio.LifoQueue()
            for _ in range(self.config.pool_size):
                client = self._new_client()
                self._clients.append(client)
                self._idle.put_nowait(client)
        return self._idle

    def _new_client(self) -> aiosmtplib.SMTP:
        security = self.config.security
        return _Client(
            hostname=self._host,
            port=self.config.port,
            timeout=self.config.timeout,
            use_tls=security == "tls",
            start_tls=security == "starttls",  # True, never None: no silent plaintext
            username=self.config.username,
            password=self._password,
        )

    def _tls_context(self) -> ssl.SSLContext:
        if self._tls is None:
            bundle = str(self.config.ca_bundle) if self.config.ca_bundle else None
            self._tls = ssl.create_default_context(cafile=bundle)
        return self._tls

    async def _send_on(self, client: aiosmtplib.SMTP, to: str, payload: bytes) -> str:
        if client.is_connected:
            try:
                return await self._transaction(client, to, payload)
            except _IdleConnectionLost:
                client.close()  # the server closed it while idle; open a new one below
        await self._connect(client)
        try:
            return await self._transaction(client, to, payload)
        except _IdleConnectionLost as exc:
            raise TransientError(f"connection lost: {exc}") from None

    async def _connect(self, client: aiosmtplib.SMTP) -> None:
        try:
            if self.config.security != "none":
                client.tls_context = self._tls_context()
            await client.connect()
            await _greet(client)
        except aiosmtplib.SMTPResponseException as exc:  # greeting, EHLO, AUTH, STARTTLS answers
            raise _by_code(exc, fatal=ChannelDown) from None
        except ssl.SSLError as exc:
            raise ChannelDown(f"TLS: {exc}") from None
        except (aiosmtplib.SMTPTimeoutError, aiosmtplib.SMTPServerDisconnected) as exc:
            raise TransientError(str(exc) or type(exc).__name__) from None
        except aiosmtplib.SMTPConnectError as exc:
            if isinstance(exc.__cause__, ssl.SSLError):
                raise ChannelDown(f"TLS: {exc.__cause__}") from None
            raise TransientError(str(exc)) from None
        except aiosmtplib.SMTPException as exc:  # e.g. STARTTLS or AUTH not offered
            raise ChannelDown(str(exc)) from None
        except OSError as exc:  # unreadable ca_bundle, reset during the TLS handshake
            raise ChannelDown(f"TLS: {exc}") from None

    async def _transaction(self, client: aiosmtplib.SMTP, to: str, payload: bytes) -> str:
        try:
            _expect(await client.execute_command(b"MAIL", self._mail_from), 250)
        except aiosmtplib.SMTPServerDisconnected as exc:
            raise _IdleConnectionLost(str(exc)) from None
        except aiosmtplib.SMTPResponseException as exc:
            await _reset(client)
            raise _by_code(exc, fatal=ChannelDown) from None
        except aiosmtplib.SMTPTimeoutError as exc:
            _fail_transient(client, exc)
        try:
            # `to` passed to_wire's ASCII addr-spec check: no parsing needed to quote it
            _expect(await client.execute_command(b"RCPT", b"TO:<" + to.encode() + b">"), 250, 251)
            _expect(await client.execute_command(b"DATA"), 354)
            response = await _content(client, payload)
        except aiosmtplib.SMTPResponseException as exc:
            await _reset(client)
            raise _by_code(exc, fatal=PermanentError) from None
        except (aiosmtplib.SMTPServerDisconnected, aiosmtplib.SMTPTimeoutError) as exc:
            _fail_transient(client, exc)
        return f"{response.code} {response.message}"


async def _greet(client: aiosmtplib.SMTP) -> None:
    """EHLO (HELO if refused) where connect() did not say it: without STARTTLS or AUTH it
    leaves that to mail(), which _transaction does not call."""
    if not client.is_ehlo_or_helo_needed:
        return
    try:
        await client.ehlo()
    except aiosmtplib.SMTPHeloError:
        if not client.is_connected:
            raise
        await client.helo()


def _expect(response: SMTPResponse, *codes: int) -> None:
    if response.code not in codes:
        raise aiosmtplib.SMTPResponseException(response.code, response.message)


async def _content(client: aiosmtplib.SMTP, payload: bytes) -> SMTPResponse:
    """The message after DATA's 354, and the server's answer. aiosmtplib's data() would turn
    lone CR or LF into CRLF and double leading dots with two regular expressions over the whole
    message, and its mail()/rcpt() parse each address again: together 8-17 % of the delivery
    path's CPU a message (README, Benchmarks). to_wire already writes CRLF line ends, so a check
    is enough; a message that fails it is normalised, never sent with a bare line end (which
    smuggles a second message past some servers). Written with the client's protocol (its
    write() and read_response(), aiosmtplib 5: pyproject pins < 6)."""
    protocol = client.protocol
    if protocol is None:
        raise aiosmtplib.SMTPServerDisconnected("Connection lost")
    if not payload.count(b"\r") == payload.count(b"\n") == payload.count(b"\r\n"):
        payload = _LINE_END.sub(b"\r\n", payload)
    if not payload.endswith(b"\r\n"):
        payload += b"\r\n"
    if payload.startswith(b"."):
        payload = b"." + payload
    # Nothing is awaited between the write and read_response, so the answer cannot arrive
    # before the protocol expects it.
    protocol.write(payload.replace(b"\r\n.", b"\r\n..") + b".\r\n")
    response = await protocol.read_response(timeout=client.timeout)
    _expect(response, 250)
    return response


def _by_code(exc: aiosmtplib.SMTPResponseException, *, fatal: type[ChannelError]) -> ChannelError:
    """4xx is worth retrying; 5xx is `fatal` (permanent for this message, or channel down)."""
    reason = f"{exc.code} {exc.message}".strip()
    if 400 <= exc.code < 500:
        return TransientError(reason)
    return fatal(reason)


async def _reset(client: aiosmtplib.SMTP) -> None:
    """RSET so the pooled connection can carry the next message; drop it if that fails."""
    if not client.is_connected:
        return
    try:
        await client.rset()
    except (aiosmtplib.SMTPException, OSError):
        client.close()


def _fail_transient(client: aiosmtplib.SMTP, exc: Exception) -> NoReturn:
    client.close()
    raise TransientError(str(exc) or type(exc).__name__) from None
