"""An SMTP server for the fault scenarios: standard library asyncio, one subprocess.

    python tests/reliability/faults/sink.py --record FILE [--port P] [--fail-rate R]
                                            [--seed S] [--delay SECONDS]

It accepts what a real submission server accepts (EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT)
and appends the Message-ID of every accepted message to FILE, one per line, written with a
single unbuffered write before the 250 goes out, so a killed sink never under-counts a message
the client saw accepted. With --fail-rate R, each transaction fails with probability R, at a
random step, with 421 (then the connection is closed, as RFC 5321 says) or 451; a refused
message is not recorded. --delay holds each 250 after DATA (a slow server). Prints "PORT <n>".
Bound to 127.0.0.1 only.
"""

import argparse
import asyncio
import os
import random
import re
import sys

GREETING = b"220 fault-sink ESMTP\r\n"
EHLO = b"250-fault-sink\r\n250-PIPELINING\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n"
MESSAGE_ID = re.compile(rb"^message-id:[ \t]*(\S+)", re.IGNORECASE | re.MULTILINE)
# (step, reply): where a doomed transaction fails and how.
FAULTS = (
    ("MAIL", b"451 4.3.0 try again later\r\n"),
    ("RCPT", b"451 4.7.1 greylisted, try again later\r\n"),
    ("DATA", b"451 4.3.0 queue full\r\n"),
    ("MAIL", b"421 4.3.2 service shutting down\r\n"),
    ("DATA", b"421 4.4.2 connection timed out\r\n"),
)


class Options:
    record_fd = -1
    fail_rate = 0.0
    delay = 0.0
    rng = random.Random(0)  # noqa: S311  (fault injection, not security)


class Session(asyncio.Protocol):
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        self.buffer = b""
        self.body = b""
        self.in_data = False
        self.fault: tuple[str, bytes] | None = None
        transport.write(GREETING)

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while not self.transport.is_closing():
            if self.in_data:
                end = self.buffer.find(b"\r\n.\r\n")
                if end < 0:
                    return
                self.body, self.buffer = self.buffer[:end], self.buffer[end + 5 :]
                self.in_data = False
                self._end_of_data()
                continue
            line, sep, rest = self.buffer.partition(b"\r\n")
            if not sep:
                return
            self.buffer = rest
            self._command(line[:4].upper())

    def _fails_at(self, step: str) -> bool:
        if self.fault is None or self.fault[0] != step:
            return False
        reply = self.fault[1]
        self.fault = None
        self.transport.write(reply)
        if reply.startswith(b"421"):
            self.transport.close()
        return True

    def _command(self, verb: bytes) -> None:
        if verb in (b"EHLO", b"HELO"):
            self.transport.write(EHLO if verb == b"EHLO" else b"250 fault-sink\r\n")
        elif verb == b"MAIL":
            doomed = Options.rng.random() < Options.fail_rate
            self.fault = Options.rng.choice(FAULTS) if doomed else None
            if not self._fails_at("MAIL"):
                self.transport.write(b"250 2.1.0 ok\r\n")
        elif verb == b"RCPT":
            if not self._fails_at("RCPT"):
                self.transport.write(b"250 2.1.5 ok\r\n")
        elif verb == b"DATA":
            self.in_data = True
            self.buffer = b"\r\n" + self.buffer  # a body may end without a line before the dot
            self.transport.write(b"354 end with <CRLF>.<CRLF>\r\n")
        elif verb == b"QUIT":
            self.transport.write(b"221 2.0.0 bye\r\n")
            self.transport.close()
        else:  # RSET, NOOP
            self.fault = None
            self.transport.write(b"250 2.0.0 ok\r\n")

    def _end_of_data(self) -> None:
        if self._fails_at("DATA"):
            return
        found = MESSAGE_ID.search(self.body)
        mid = found.group(1) if found else b"<no-message-id>"
        if Options.delay:
            asyncio.get_running_loop().call_later(Options.delay, self._accept, mid)
        else:
            self._accept(mid)

    def _accept(self, mid: bytes) -> None:
        if self.transport.is_closing():  # the client gave up: nothing was accepted
            return
        os.write(Options.record_fd, mid + b"\n")
        self.transport.write(b"250 2.0.0 queued\r\n")


async def serve(port: int) -> None:
    server = await asyncio.get_running_loop().create_server(
        Session, "127.0.0.1", port, reuse_address=True
    )
    sys.stdout.write(f"PORT {server.sockets[0].getsockname()[1]}\n")
    sys.stdout.flush()
    async with server:
        await server.serve_forever()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--record", required=True)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--fail-rate", type=float, default=0.0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--delay", type=float, default=0.0)
    args = parser.parse_args()
    Options.record_fd = os.open(args.record, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    Options.fail_rate, Options.delay = args.fail_rate, args.delay
    Options.rng = random.Random(args.seed)  # noqa: S311  (fault injection, not security)
    try:
        asyncio.run(serve(args.port))
    except KeyboardInterrupt:
        sys.exit(0)


if __name__ == "__main__":
    main()
