"""A real SMTP server for the channel tests and the benchmark, run as a separate process.

    python smtp_server.py --port 0 --directory DIR [--greylist] [--reject ADDR]...
                          [--reject-sender ADDR] [--reject-content TEXT]
                          [--tls-cert CERT --tls-key KEY [--implicit-tls]] [--auth USER:PASSWORD]
                          [--count-only]

It prints "PORT <n>" on stdout once it listens, and runs until terminated. Each accepted message
is saved as DIR/<time>.eml and each connection appends a line to DIR/connections.log (neither
with --count-only). --greylist answers 450 to the first RCPT of each recipient; --reject answers
550 for that recipient, --reject-sender 553 for that sender, --reject-content 554 after DATA
for a message holding TEXT; --tls-cert/--tls-key offer STARTTLS
(or, with --implicit-tls, TLS from the first byte), and --auth requires TLS plus AUTH.
"""

import argparse
import asyncio
import ssl
import sys
import time
from pathlib import Path
from typing import Any

from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

GREYLIST = "450 4.2.0 Greylisted, please try again later"
REJECT_CONTENT = "554 5.7.1 Message content rejected"
REJECT = "550 5.1.1 <{address}>: Recipient address rejected: User unknown"


class Handler:
    def __init__(self, options: argparse.Namespace) -> None:
        self.directory: Path = options.directory
        self.greylist: bool = options.greylist
        self.reject: set[str] = set(options.reject)
        self.reject_sender: str | None = options.reject_sender
        self.reject_content: bytes | None = (
            options.reject_content.encode() if options.reject_content else None
        )
        self.count_only: bool = options.count_only
        self.seen: set[str] = set()
        self.count = 0

    async def handle_MAIL(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: Any
    ) -> str:
        if address == self.reject_sender:
            return f"553 5.7.1 <{address}>: Sender address rejected: not owned by user"
        envelope.mail_from = address
        return "250 2.1.0 OK"

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: Any
    ) -> str:
        if address in self.reject:
            return REJECT.format(address=address)
        if self.greylist and address not in self.seen:
            self.seen.add(address)
            return GREYLIST
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or b""
        if self.reject_content is not None and self.reject_content in raw:
            return REJECT_CONTENT
        self.count += 1
        if not self.count_only:
            (self.directory / f"{time.time_ns()}.eml").write_bytes(raw)
        return f"250 2.0.0 Ok: queued as Q{self.count:05d}"


class LoggingSMTP(SMTP):
    """Appends one line per connection, so tests can count how many the client opened."""

    log: Path | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        if self.log is not None:
            with self.log.open("a") as handle:
                handle.write("connect\n")
        super().connection_made(transport)


def _authenticator(expected: str) -> Any:
    user, _, password = expected.partition(":")

    def check(server: SMTP, session: Session, envelope: Envelope, mechanism: str, data: Any) -> Any:
        ok = (
            isinstance(data, LoginPassword)
            and data.login.decode() == user
            and data.password.decode() == password
        )
        return AuthResult(success=ok, handled=False)  # handled=False: aiosmtpd answers 535

    return check


def _server_tls(options: argparse.Namespace) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(options.tls_cert, options.tls_key)
    return context


def _factory(options: argparse.Namespace, handler: Handler) -> Any:
    if not options.count_only:  # the benchmark measures the client, not this log
        LoggingSMTP.log = options.directory / "connections.log"
    kwargs: dict[str, Any] = {"hostname": "hygiene-test", "ident": "hygiene test SMTP"}
    if options.tls_cert and not options.implicit_tls:
        kwargs.update(tls_context=_server_tls(options), require_starttls=True)
    if options.auth:
        kwargs.update(
            authenticator=_authenticator(options.auth),
            auth_required=True,
            auth_require_tls=bool(options.tls_cert),
        )
    return lambda: LoggingSMTP(handler, **kwargs)


async def serve(options: argparse.Namespace) -> None:
    options.directory.mkdir(parents=True, exist_ok=True)
    handler = Handler(options)
    loop = asyncio.get_running_loop()
    implicit = _server_tls(options) if options.implicit_tls else None
    server = await loop.create_server(
        _factory(options, handler), "127.0.0.1", options.port, ssl=implicit
    )
    port = server.sockets[0].getsockname()[1]
    sys.stdout.write(f"PORT {port}\n")
    sys.stdout.flush()
    async with server:
        await server.serve_forever()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--directory", type=Path, required=True)
    parser.add_argument("--greylist", action="store_true")
    parser.add_argument("--reject", action="append", default=[])
    parser.add_argument("--reject-sender")
    parser.add_argument("--reject-content")
    parser.add_argument("--tls-cert")
    parser.add_argument("--tls-key")
    parser.add_argument("--implicit-tls", action="store_true")
    parser.add_argument("--auth")
    parser.add_argument("--count-only", action="store_true")
    asyncio.run(serve(parser.parse_args()))


if __name__ == "__main__":
    main()
