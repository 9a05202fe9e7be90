"""A minimal SMTP sink for benchmarks: asyncio and the standard library, counts and discards.

aiosmtpd parses and dispatches every command through a full session object, which on two shared
cores made the *sink* the bottleneck of the delivery benchmark. This sink answers the handful of
commands a client sends (EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT) with fixed replies and
skips message bodies, so the figures measure the clients. Prints "PORT <n>" when listening.
"""

import asyncio
import sys

GREETING = b"220 sink ESMTP\r\n"
EHLO = b"250-sink\r\n250-PIPELINING\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n"


class Sink(asyncio.Protocol):
    received = 0

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        self.buffer = b""
        self.in_data = False
        transport.write(GREETING)

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while True:
            if self.in_data:
                end = self.buffer.find(b"\r\n.\r\n")
                if end < 0:
                    self.buffer = self.buffer[-4:]
                    return
                self.buffer, self.in_data = self.buffer[end + 5 :], False
                Sink.received += 1
                self.transport.write(b"250 2.0.0 queued\r\n")
                continue
            line, sep, rest = self.buffer.partition(b"\r\n")
            if not sep:
                return
            self.buffer = rest
            self._command(line[:4].upper())

    def _command(self, verb: bytes) -> None:
        if verb == b"EHLO":
            self.transport.write(EHLO)
        elif verb == b"DATA":
            self.in_data = True
            self.buffer = b"\r\n" + self.buffer  # a body may end without a line before the dot
            self.transport.write(b"354 end with <CRLF>.<CRLF>\r\n")
        elif verb == b"QUIT":
            self.transport.write(b"221 bye\r\n")
            self.transport.close()
        else:
            self.transport.write(b"250 ok\r\n")


async def main() -> None:
    server = await asyncio.get_running_loop().create_server(Sink, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    print(f"PORT {port}", flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        sys.exit(0)
