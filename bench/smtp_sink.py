"""A minimal SMTP sink for benchmarks: asyncio and the standard library, counts and discards.

    python bench/smtp_sink.py [--tls CERT KEY]

aiosmtpd parses and dispatches every command through a full session object, which on two shared
cores made the *sink* the bottleneck of the delivery benchmark. This sink answers the handful of
commands a client sends (EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT) with fixed replies and
skips message bodies, so the figures measure the clients. Prints "PORT <n>" when listening.

--tls CERT KEY is the submission-port setup (587): EHLO offers STARTTLS, which upgrades the
connection server-side (loop.start_tls; whatever the client sent after the command is discarded
and the session starts over, RFC 3207), and once on TLS EHLO offers AUTH PLAIN LOGIN, which
accepts any credentials (235). Nothing is enforced: the benchmark's clients all upgrade and log in
with certificate verification on, and the counts printed on exit show they did.

On SIGTERM or SIGINT it prints "STATS connections=… tls=… auth=… messages=…" and exits.
"""

import argparse
import asyncio
import signal
import ssl
import sys

GREETING = b"220 sink ESMTP\r\n"
EHLO = b"250-sink\r\n250-PIPELINING\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n"
EHLO_STARTTLS = b"250-sink\r\n250-PIPELINING\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n250 STARTTLS\r\n"
EHLO_TLS = b"250-sink\r\n250-PIPELINING\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n250 AUTH PLAIN LOGIN\r\n"
USERNAME_PROMPT = b"334 VXNlcm5hbWU6\r\n"  # base64 "Username:"
PASSWORD_PROMPT = b"334 UGFzc3dvcmQ6\r\n"  # base64 "Password:"
AUTHENTICATED = b"235 2.7.0 Authentication successful\r\n"


class Stats:
    connections = 0
    tls = 0
    auth = 0
    messages = 0


class Sink(asyncio.Protocol):
    tls_context: ssl.SSLContext | None = None  # set by --tls: STARTTLS and AUTH are offered

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        Stats.connections += 1
        self.transport = transport
        self.buffer = b""
        self.in_data = False
        self.on_tls = False
        self.upgrading = False  # between STARTTLS and the end of the handshake
        self.auth_lines: list[bytes] = []  # replies owed to the coming AUTH continuation lines
        transport.write(GREETING)

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        if self.upgrading:  # decrypted bytes that beat start_tls() back: wait for _start_tls
            return
        while True:
            if self.in_data:
                end = self.buffer.find(b"\r\n.\r\n")
                if end < 0:
                    self.buffer = self.buffer[-4:]
                    return
                self.buffer, self.in_data = self.buffer[end + 5 :], False
                Stats.messages += 1
                self.transport.write(b"250 2.0.0 queued\r\n")
                continue
            line, sep, rest = self.buffer.partition(b"\r\n")
            if not sep:
                return
            self.buffer = rest
            if self.auth_lines:
                self.transport.write(self.auth_lines.pop(0))
                continue
            if self._command(line):
                return  # STARTTLS: the rest of the buffer is dropped, the handshake follows

    def _command(self, line: bytes) -> bool:
        verb = line[:4].upper()
        if verb == b"EHLO":
            if self.tls_context is None:
                self.transport.write(EHLO)
            else:
                self.transport.write(EHLO_TLS if self.on_tls else EHLO_STARTTLS)
        elif verb == b"DATA":
            self.in_data = True
            self.buffer = b"\r\n" + self.buffer  # a body may end without a line before the dot
            self.transport.write(b"354 end with <CRLF>.<CRLF>\r\n")
        elif verb == b"QUIT":
            self.transport.write(b"221 bye\r\n")
            self.transport.close()
        elif verb == b"STAR" and self.tls_context is not None and not self.on_tls:
            self.transport.write(b"220 2.0.0 ready to start TLS\r\n")
            self.transport.pause_reading()  # the ClientHello is for the TLS layer, not for us
            self.buffer, self.upgrading = b"", True
            self.upgrade = asyncio.ensure_future(self._start_tls(self.tls_context))  # kept alive
            return True
        elif verb == b"AUTH" and self.on_tls:
            self._auth(line.split())
        else:
            self.transport.write(b"250 ok\r\n")
        return False

    def _auth(self, words: list[bytes]) -> None:
        mechanism = words[1].upper() if len(words) > 1 else b""
        initial = len(words) > 2
        Stats.auth += 1
        if mechanism == b"PLAIN":
            if initial:
                self.transport.write(AUTHENTICATED)
            else:
                self.transport.write(b"334 \r\n")
                self.auth_lines = [AUTHENTICATED]
        elif mechanism == b"LOGIN":
            if initial:  # the username came with the command
                self.transport.write(PASSWORD_PROMPT)
                self.auth_lines = [AUTHENTICATED]
            else:
                self.transport.write(USERNAME_PROMPT)
                self.auth_lines = [PASSWORD_PROMPT, AUTHENTICATED]
        else:
            Stats.auth -= 1
            self.transport.write(b"504 5.5.4 mechanism not supported\r\n")

    async def _start_tls(self, context: ssl.SSLContext) -> None:
        loop = asyncio.get_running_loop()
        try:
            transport = await loop.start_tls(self.transport, self, context, server_side=True)
        except (OSError, ssl.SSLError, ConnectionError):
            self.transport.close()
            return
        assert isinstance(transport, asyncio.Transport)
        Stats.tls += 1
        self.transport = transport
        self.in_data, self.on_tls, self.upgrading, self.auth_lines = False, True, False, []
        if self.buffer:  # the client's first command over TLS came during the handshake
            self.data_received(b"")


async def main(options: argparse.Namespace) -> None:
    if options.tls:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(*options.tls)
        Sink.tls_context = context
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    server = await loop.create_server(Sink, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    print(f"PORT {port}", flush=True)
    async with server:
        await stop.wait()
    print(
        f"STATS connections={Stats.connections} tls={Stats.tls} auth={Stats.auth}"
        f" messages={Stats.messages}",
        flush=True,
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--tls", nargs=2, metavar=("CERT", "KEY"))
    asyncio.run(main(parser.parse_args()))
    sys.exit(0)
