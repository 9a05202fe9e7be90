"""Email delivery throughput over loopback, against an SMTP sink in a separate process.

    .venv/bin/python bench/deliver.py [--messages 5000] [--pool-size 4]

Three ways to send the same messages (each built by hygiene.channels.email_message, so only the
transport differs):
    (a) project  SmtpChannel, concurrency = pool size (asyncio.gather behind a semaphore)
    (b) naive    smtplib, a new connection per message, one after another
    (c) raw      aiosmtplib, `pool size` connections each looping over the queue: the floor
                 that (a) pays its pool management and error classification on top of
Targets: project/naive ≥ 5×, project/raw ≥ 0.7×. The sink is tests/channels/smtp_server.py in
--count-only mode (aiosmtpd, counts and discards).
"""

import argparse
import asyncio
import smtplib
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Coroutine, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import aiosmtplib

from hygiene.channels.base import OutgoingMessage
from hygiene.channels.email_message import build_email, to_bytes
from hygiene.channels.smtp import SmtpChannel
from hygiene.settings import Smtp

AIOSMTPD_SINK = Path(__file__).resolve().parents[1] / "tests" / "channels" / "smtp_server.py"
FAST_SINK = Path(__file__).resolve().parent / "smtp_sink.py"
SENDER = "nhacviec@ubnd.example"
FROM_NAME = "Nhắc việc an toàn thông tin"


@contextmanager
def sink(kind: str) -> Iterator[int]:
    with tempfile.TemporaryDirectory() as folder:
        command = (
            [sys.executable, str(FAST_SINK)]
            if kind == "fast"
            else [sys.executable, str(AIOSMTPD_SINK), "--directory", folder, "--count-only"]
        )
        process = subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            assert process.stdout is not None
            yield int(process.stdout.readline().split()[1])
        finally:
            process.terminate()
            process.wait(timeout=10)
            if process.stdout is not None:
                process.stdout.close()


def messages(count: int) -> list[OutgoingMessage]:
    return [
        OutgoingMessage(
            idempotency_key=f"rotation:{i}:2026-03-16:7",
            message_id=f"<rotation.{i}.2026-03-16.7@bench.hygiene>",
            to=f"can.bo.{i}@xa.example",
            subject="Nhắc đổi mật khẩu: Email công vụ (hạn 16/03/2026)",
            text=f"Chào đồng chí số {i},\nmật khẩu «Email công vụ» đến hạn đổi ngày 16/03/2026.\n"
            "Hệ thống không bao giờ hỏi mật khẩu của bạn.",
        )
        for i in range(count)
    ]


def payload(message: OutgoingMessage) -> bytes:
    return to_bytes(build_email(message, from_address=SENDER, from_name=FROM_NAME))


async def project(port: int, batch: list[OutgoingMessage], pool: int) -> None:
    config = Smtp(host="127.0.0.1", port=port, security="none", pool_size=pool, from_address=SENDER)
    channel = SmtpChannel(config)
    gate = asyncio.Semaphore(pool)

    async def one(message: OutgoingMessage) -> None:
        async with gate:
            await channel.send(message)

    try:
        await asyncio.gather(*(one(m) for m in batch))
    finally:
        await channel.close()


def naive(port: int, batch: list[OutgoingMessage]) -> None:
    for message in batch:
        with smtplib.SMTP("127.0.0.1", port) as client:
            client.sendmail(SENDER, [message.to], payload(message))


async def raw(port: int, batch: list[OutgoingMessage], pool: int) -> None:
    queue = iter(batch)

    async def worker() -> None:
        client = aiosmtplib.SMTP(hostname="127.0.0.1", port=port, start_tls=False)
        await client.connect()
        try:
            for message in queue:
                await client.sendmail(SENDER, [message.to], payload(message))
        finally:
            await client.quit()

    await asyncio.gather(*(worker() for _ in range(pool)))


def rate(run: Callable[[], Any], count: int) -> float:
    start = time.perf_counter()
    run()
    return count / (time.perf_counter() - start)


def _async(factory: Callable[[], Coroutine[Any, Any, None]]) -> Callable[[], None]:
    return lambda: asyncio.run(factory())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--messages", type=int, default=5000)
    parser.add_argument("--pool-size", type=int, default=4)
    parser.add_argument(
        "--sink",
        choices=["fast", "aiosmtpd"],
        default="aiosmtpd",
        help="aiosmtpd: the test server (default); fast: bench/smtp_sink.py",
    )
    options = parser.parse_args()
    count, pool = options.messages, options.pool_size
    batch = messages(count)
    with sink(options.sink) as port:
        figures = {
            "project": rate(_async(lambda: project(port, batch, pool)), count),
            "naive": rate(lambda: naive(port, batch), count),
            "raw": rate(_async(lambda: raw(port, batch, pool)), count),
        }
    where = f"{options.sink} sink in a separate process on 127.0.0.1"
    print(f"{count} messages, pool size {pool}, {where}")
    print(f"(a) project SmtpChannel pool          {figures['project']:8.0f} msg/s")
    print(f"(b) naive smtplib, connection/message {figures['naive']:8.0f} msg/s")
    print(f"(c) raw aiosmtplib pool (floor)       {figures['raw']:8.0f} msg/s")
    for name, target in (("naive", 5.0), ("raw", 0.7)):
        ratio = figures["project"] / figures[name]
        verdict = "met" if ratio >= target else "NOT met"
        print(f"project / {name:<5} = {ratio:5.2f}×  (target ≥ {target}×: {verdict})")


if __name__ == "__main__":
    main()
