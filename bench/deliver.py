"""Email delivery throughput over loopback, against an SMTP sink in a separate process.

    .venv/bin/python bench/deliver.py [--messages 5000] [--pool-size 4] [--sink tls|fast|aiosmtpd]
                                     [--batch-size 100]
                                     [--service OFFICIALS] [--database-url postgresql+psycopg://…]
                                     [--instances 1,2,4] [--rounds 1]

Three ways to send the same messages (each built by hygiene.channels.email_message, so only the
transport differs):
    (a) project  SmtpChannel, concurrency = pool size (asyncio.gather behind a semaphore)
    (b) naive    smtplib, a new connection per message, one after another
    (c) raw      aiosmtplib, `pool size` connections each looping over the queue with
                 sendmail(): the baseline of the targets. (a) is faster than (c): its
                 transaction leaves out sendmail()'s address parsing (four parses a message)
                 and its two regular expressions over the whole message (channels.smtp)
    (c') raw     the same pool sending the messages the SQLite service run (d) sent (rendered
                 reminders, text and HTML, about 7 times the bytes of (c)'s): for reading the
                 ratios, not a target
    (d) service  the whole service path (Deliverer.drain over a planned campaign) on SQLite and,
                 with --database-url, on PostgreSQL with 1, 2 and 4 instances (processes)
                 draining one outbox; every SQL statement the deliverers send is counted
Targets: project/naive ≥ 5×, project/raw ≥ 0.7×; service/raw ≥ 0.5× on SQLite, ≥ 0.4× on
PostgreSQL (1 instance); PostgreSQL 2 instances ÷ 1 ≥ 1.6×; SQL statements per delivered
message ≤ 0.5. The load average is printed before and after: compare ratios, not rates.
The raw pool and each (d) line also say how many of the machine's cores were busy meanwhile
(every process: the instances, the sink, PostgreSQL; from /proc/stat): what one instance keeps
busy is what a second one cannot have, so the 2 ÷ 1 line also prints its ceiling in this run
if two instances cost the machine as much CPU a message as one: its cores ÷ the cores busy with
one instance. --rounds N measures (c), (c') and (d) N times in turn: each figure printed is the
median of its rounds (their own values follow in brackets), and each ratio the median of the
rounds' own ratios, each against the baseline of its round.

Sinks (--sink):
    tls       the default, and the production setup (channels.smtp.security = "starttls" on the
              submission port): bench/smtp_sink.py --tls with a throwaway self-signed certificate
              for 127.0.0.1 made by the openssl CLI. Every path says STARTTLS, verifies the
              certificate against that CA bundle, and logs in (AUTH) on every connection it opens.
    fast      bench/smtp_sink.py in plaintext, no AUTH
    aiosmtpd  tests/channels/smtp_server.py --count-only (aiosmtpd), plaintext, no AUTH
"""

import argparse
import asyncio
import multiprocessing
import os
import smtplib
import ssl
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Coroutine, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from datetime import time as clock_time
from pathlib import Path
from typing import Any

import aiosmtplib
from pydantic import SecretStr
from sqlalchemy import Engine, event, text

import plan  # bench/plan.py: the synthetic district
from hygiene import db
from hygiene.bootstrap import build_deps
from hygiene.channels.base import OutgoingMessage
from hygiene.channels.email_message import to_wire
from hygiene.channels.smtp import SmtpChannel
from hygiene.clock import FixedClock
from hygiene.outbox import rules
from hygiene.outbox.delivery import Deliverer, DeliveryReport
from hygiene.restore import notice as restore
from hygiene.settings import Delivery, Settings, Smtp

AIOSMTPD_SINK = Path(__file__).resolve().parents[1] / "tests" / "channels" / "smtp_server.py"
FAST_SINK = Path(__file__).resolve().parent / "smtp_sink.py"
SENDER = "nhacviec@ubnd.example"
FROM_NAME = "Nhắc việc an toàn thông tin"


USERNAME, PASSWORD = "bench", "bench-pass"
SERVICE_SECRET = "bench-secret-0123456789abcdef"  # noqa: S105  (a throwaway database)


@dataclass
class Sink:
    port: int
    cert: Path | None  # the CA bundle to verify the sink with; None: plaintext, no AUTH
    stats: list[str] = field(default_factory=list)  # what bench/smtp_sink.py counted, on exit


def _certificate(folder: Path) -> tuple[Path, Path]:
    """A throwaway self-signed certificate for 127.0.0.1 (the venv has no `cryptography`)."""
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            *("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"),
            *("-keyout", str(key), "-out", str(cert), "-subj", "/CN=localhost"),
            *("-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"),
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


@contextmanager
def sink(kind: str) -> Iterator[Sink]:
    with tempfile.TemporaryDirectory() as folder:
        cert: Path | None = None
        if kind == "aiosmtpd":
            command = [sys.executable, str(AIOSMTPD_SINK), "--directory", folder, "--count-only"]
        elif kind == "fast":
            command = [sys.executable, str(FAST_SINK)]
        else:
            cert, key = _certificate(Path(folder))
            command = [sys.executable, str(FAST_SINK), "--tls", str(cert), str(key)]
        process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
        assert process.stdout is not None
        target = Sink(port=0, cert=cert)
        try:
            target.port = int(process.stdout.readline().split()[1])
            yield target
        finally:
            process.terminate()
            process.wait(timeout=10)
            target.stats = [line.strip() for line in process.stdout if line.startswith("STATS")]
            process.stdout.close()


def _tls(target: Sink) -> ssl.SSLContext:
    """Verification on, against the sink's certificate as the only CA (as with ca_bundle)."""
    return ssl.create_default_context(cafile=str(target.cert))


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
    return to_wire(message, from_address=SENDER, from_name=FROM_NAME)


def smtp_config(target: Sink, pool: int) -> Smtp:
    if target.cert is None:
        return Smtp(
            host="127.0.0.1",
            port=target.port,
            security="none",
            pool_size=pool,
            from_address=SENDER,
        )
    return Smtp(
        host="127.0.0.1",
        port=target.port,
        security="starttls",
        username=USERNAME,
        password=SecretStr(PASSWORD),
        ca_bundle=target.cert,
        pool_size=pool,
        from_address=SENDER,
    )


async def project(target: Sink, batch: list[OutgoingMessage], pool: int) -> None:
    config = smtp_config(target, pool)
    channel = SmtpChannel(config)
    gate = asyncio.Semaphore(pool)

    async def one(message: OutgoingMessage) -> None:
        async with gate:
            await channel.send(message)

    try:
        await asyncio.gather(*(one(m) for m in batch))
    finally:
        await channel.close()


def naive(target: Sink, batch: list[OutgoingMessage]) -> None:
    context = _tls(target) if target.cert is not None else None
    for message in batch:
        with smtplib.SMTP("127.0.0.1", target.port) as client:
            if context is not None:  # a full handshake and AUTH for every message
                client.starttls(context=context)
                client.login(USERNAME, PASSWORD)
            client.sendmail(SENDER, [message.to], payload(message))


async def raw(target: Sink, batch: list[OutgoingMessage], pool: int) -> None:
    queue = iter(batch)
    secure = target.cert is not None
    context = _tls(target) if secure else None

    async def worker() -> None:
        client = aiosmtplib.SMTP(
            hostname="127.0.0.1",
            port=target.port,
            start_tls=secure,
            tls_context=context,
            username=USERNAME if secure else None,
            password=PASSWORD if secure else None,
        )
        await client.connect()  # EHLO, STARTTLS, EHLO, AUTH when secure
        try:
            for message in queue:
                await client.sendmail(SENDER, [message.to], payload(message))
        finally:
            await client.quit()

    await asyncio.gather(*(worker() for _ in range(pool)))


def _settings(pool: int, batch: int = Delivery().batch_size) -> Settings:
    return Settings(
        secret_key=SecretStr(SERVICE_SECRET),
        delivery=Delivery(
            window_start=clock_time(0, 0),
            window_end=clock_time(23, 59, 59),
            days=list(rules.WEEKDAYS),
            concurrency=pool,
            batch_size=batch,
        ),
    )


def _now(settings: Settings) -> datetime:
    return datetime.combine(plan.TODAY, clock_time(9, 0), settings.zone).astimezone(UTC)


def _engine(url: str | None, folder: Path) -> Engine:
    if url is None:
        return db.make_engine(f"sqlite:///{folder / 'plan.db'}")
    return db.make_engine(url, connect_args={"options": f"-csearch_path={plan.SCHEMA}"})


class _Keeping(SmtpChannel):
    """SmtpChannel that also keeps each message it is given (for (c'): one append a send)."""

    def __init__(self, config: Smtp, kept: list[OutgoingMessage]) -> None:
        super().__init__(config)
        self.kept = kept

    async def send(self, message: OutgoingMessage) -> Any:
        self.kept.append(message)
        return await super().send(message)


def _drain(
    target: Sink,
    url: str | None,
    folder: Path,
    pool: int,
    batch: int,
    worker: str,
    kept: list[OutgoingMessage] | None = None,
) -> tuple[int, int]:
    """One instance: Deliverer.drain() until nothing is left to claim. (sent, SQL statements).
    With `kept`, every message handed to the channel is appended to it."""
    settings = _settings(pool, batch)
    engine = _engine(url, folder)
    statements = [0]

    def count(*_: object) -> None:
        statements[0] += 1

    event.listen(engine, "before_cursor_execute", count)
    clock = FixedClock(_now(settings))
    deps = build_deps(settings, clock=clock, engine=engine)
    deliverer = Deliverer(
        engine=engine,
        settings=settings,
        secret=SERVICE_SECRET.encode(),
        audit_key=plan.KEY,
        channels={
            "smtp": SmtpChannel(smtp_config(target, pool))
            if kept is None
            else _Keeping(smtp_config(target, pool), kept)
        },
        clock=clock,
        worker=worker,
        renderer=deps.renderer,
        readers=deps.readers,
        hold_restored=restore.notice,
    )

    async def drain() -> DeliveryReport:
        try:
            return await deliverer.drain()
        finally:
            await deliverer.channels["smtp"].close()

    report = asyncio.run(drain())
    engine.dispose()
    return report.outcomes.get("sent", 0), statements[0]


def _child(target: Sink, url: str | None, folder: Path, pool: int, batch: int, worker: str,
           go: Any, results: Any) -> None:  # fmt: skip
    go.wait()
    sent, statements = _drain(target, url, folder, pool, batch, worker)
    results.put((sent, statements, time.perf_counter()))


@dataclass
class ServiceRun:
    rate: float
    planned: int
    statements: int
    instances: int
    cores: float  # of the machine's, busy on average while the instances drained (all processes)


def _ticks() -> tuple[int, int]:
    """(busy, total) jiffies of every CPU from /proc/stat: idle and iowait are not busy."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return sum(fields) - fields[3] - fields[4], sum(fields)


def _busy_cores(before: tuple[int, int], after: tuple[int, int]) -> float:
    busy, total = after[0] - before[0], after[1] - before[1]
    return (os.cpu_count() or 1) * busy / total if total else 0.0


def service(
    target: Sink,
    officials: int,
    pool: int,
    batch: int,
    url: str | None = None,
    instances: int = 1,
    kept: list[OutgoingMessage] | None = None,
) -> ServiceRun:
    """(d) The whole service path: the rotation campaign planned for `officials` officials of
    bench/plan.py's synthetic district, then Deliverer.drain() in `instances` processes at once
    (each claims batches, renders, sends through SmtpChannel with delivery.concurrency = pool
    and records outcomes, attempts and audit events per batch). Every SQL statement the
    deliverers send is counted (SQLAlchemy before_cursor_execute; an executemany is one).
    `kept` (one instance only): the messages sent are appended to it."""
    settings = _settings(pool)
    with tempfile.TemporaryDirectory() as folder:
        engine = plan.fresh_engine(url, Path(folder))
        plan.populate(engine, officials, officials)
        _, planned = plan.run_plan(engine, settings, _now(settings))
        engine.dispose()
        if instances == 1:
            started, ticks = time.perf_counter(), _ticks()
            sent, statements = _drain(target, url, Path(folder), pool, batch, "bench", kept)
            elapsed, cores = time.perf_counter() - started, _busy_cores(ticks, _ticks())
        else:
            context = multiprocessing.get_context("fork")
            go, results = context.Event(), context.Queue()
            children = [
                context.Process(
                    target=_child,
                    args=(target, url, Path(folder), pool, batch, f"bench-{k}", go, results),
                )
                for k in range(instances)
            ]
            for child in children:
                child.start()
            time.sleep(1.0)  # let each child import and connect before the start
            started, ticks = time.perf_counter(), _ticks()
            go.set()
            done = [results.get() for _ in children]
            cores = _busy_cores(ticks, _ticks())
            for child in children:
                child.join()
            sent = sum(d[0] for d in done)
            statements = sum(d[1] for d in done)
            elapsed = max(d[2] for d in done) - started
        if url is not None:
            dropper = db.make_engine(url)
            with dropper.begin() as connection:
                connection.execute(text(f"DROP SCHEMA IF EXISTS {plan.SCHEMA} CASCADE"))
            dropper.dispose()
    assert sent == planned, (sent, planned)
    return ServiceRun(planned / elapsed, planned, statements, instances, cores)


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
        "--batch-size",
        type=int,
        default=Delivery().batch_size,
        help="(d) delivery.batch_size of the service path (default: the service's default)",
    )
    parser.add_argument(
        "--sink",
        choices=["tls", "fast", "aiosmtpd"],
        default="tls",
        help="tls: bench/smtp_sink.py with STARTTLS + AUTH (default, the production setup); "
        "fast: bench/smtp_sink.py in plaintext; aiosmtpd: the test server in plaintext",
    )
    parser.add_argument(
        "--service",
        type=int,
        default=10_000,
        metavar="OFFICIALS",
        help="(d) also run the whole service path for this many officials (0: skip)",
    )
    parser.add_argument(
        "--database-url",
        default=None,
        help="also run (d) on this PostgreSQL (schema bench_plan) with 1, 2 and 4 instances",
    )
    parser.add_argument("--instances", default="1,2,4", help="instance counts on PostgreSQL")
    parser.add_argument(
        "--rounds",
        type=int,
        default=1,
        help="measure (c), (c') and (d) this many times in turn; print medians (default 1)",
    )
    options = parser.parse_args()
    count, pool, batch_size = options.messages, options.pool_size, options.batch_size
    batch = messages(count)
    load_before = os.getloadavg()
    with sink(options.sink) as target:
        figures = {
            "project": rate(_async(lambda: project(target, batch, pool)), count),
            "naive": rate(lambda: naive(target, batch), count),
        }
        rounds = [_round(target, batch, options) for _ in range(options.rounds)]
    load_after = os.getloadavg()
    where = {
        "tls": "tls sink (bench/smtp_sink.py: STARTTLS + AUTH, certificates verified)",
        "fast": "fast sink (bench/smtp_sink.py, plaintext)",
        "aiosmtpd": "aiosmtpd sink (tests/channels/smtp_server.py, plaintext)",
    }[options.sink]
    print(f"{count} messages, pool size {pool}, {where} in a separate process on 127.0.0.1")
    print(f"(d): delivery.batch_size {batch_size}, delivery.concurrency {pool}")
    if len(rounds) > 1:
        print(
            f"{len(rounds)} rounds of (c), (c') and (d): each figure is the median of its rounds"
            " [each round's], each ratio the median of the rounds' own ratios"
        )
    print(f"load average before {_load(load_before)}, after {_load(load_after)} (2 cores shared)")
    for line in target.stats:
        print(f"sink counted, all paths together: {line.removeprefix('STATS ')}")
    print(f"(a) project SmtpChannel pool          {figures['project']:8.0f} msg/s")
    print(f"(b) naive smtplib, connection/message {figures['naive']:8.0f} msg/s")
    cpus = os.cpu_count() or 1
    raw_rates = [r.raw for r in rounds]
    print(
        f"(c) raw aiosmtplib pool (baseline)    {_median(raw_rates):8.0f} msg/s"
        f"  ({_median([r.raw_cores for r in rounds]):.2f} of {cpus} cores busy){_each(raw_rates)}"
    )
    first = rounds[0]
    if first.sent:
        size = sum(len(payload(m)) for m in first.sent[:1000]) / min(len(first.sent), 1000) / 1000
        small = len(payload(batch[0])) / 1000
        rendered = [r.raw_rendered for r in rounds]
        print(
            f"(c') raw pool, the service's messages {_median(rendered):8.0f} msg/s"
            f"  ({size:.1f} KB a message against {small:.1f} KB in (c); not a target)"
            f"{_each(rendered)}"
        )
    names = [name for name, _ in first.runs]
    for name in names:
        runs = [dict(r.runs)[name] for r in rounds]
        rates = [run.rate for run in runs]
        ratio = _median([dict(r.runs)[name].rate / r.raw for r in rounds])
        scale = ""
        if runs[0].instances > 1 and "PostgreSQL, 1 instance" in names:
            scale = f"  {_median(_scales(rounds, name)):4.2f}× 1 instance"
        statements = sum(run.statements for run in runs) / sum(run.planned for run in runs)
        print(
            f"(d) whole service path, {name:<24} {_median(rates):8.0f} msg/s  {ratio:4.2f}× raw"
            f"  {statements:5.2f} SQL statements/message{scale}"
            f"  ({runs[0].planned} messages, {_median([run.cores for run in runs]):.2f} of"
            f" {cpus} cores busy){_each(rates)}"
        )
    for name, goal in (("SQLite", 0.5), ("PostgreSQL, 1 instance", 0.4)):
        if name in names:
            ratios = [dict(r.runs)[name].rate / r.raw for r in rounds]
            verdict = "met" if _median(ratios) >= goal else "NOT met"
            print(
                f"service {name} / raw = {_median(ratios):4.2f}×  (target ≥ {goal}×: {verdict})"
                f"{_each(ratios, 2)}"
            )
            if first.sent:
                same = [dict(r.runs)[name].rate / r.raw_rendered for r in rounds]
                print(
                    "    ÷ (c') the raw pool sending the service's messages ="
                    f" {_median(same):4.2f}×{_each(same, 2)}"
                )
            own = _median([dict(r.runs)[name].rate for r in rounds]) / figures["project"]
            print(f"    ÷ (a) the project's own pool, (c)'s messages = {own:4.2f}× (measured once)")
    if {"PostgreSQL, 1 instance", "PostgreSQL, 2 instances"} <= set(names):
        scales = _scales(rounds, "PostgreSQL, 2 instances")
        ceilings = [cpus / dict(r.runs)["PostgreSQL, 1 instance"].cores for r in rounds]
        verdict = "met" if _median(scales) >= 1.6 else "NOT met"
        print(
            f"PostgreSQL 2 ÷ 1 instance = {_median(scales):4.2f}×  (target ≥ 1.6×: {verdict})"
            f"{_each(scales, 2)}"
        )
        print(
            f"    ceiling at 1 instance's CPU a message ({cpus} cores ÷ the cores busy with 1)"
            f" = {_median(ceilings):4.2f}×{_each(ceilings, 2)}"
        )
    for name in names:
        runs = [dict(r.runs)[name] for r in rounds]
        per = sum(run.statements for run in runs) / sum(run.planned for run in runs)
        verdict = "met" if per <= 0.5 else "NOT met"
        print(f"SQL statements per message, {name}: {per:.2f}  (target ≤ 0.5: {verdict})")
    figures["raw"] = _median(raw_rates)
    for name, target_ratio in (("naive", 5.0), ("raw", 0.7)):
        ratio = figures["project"] / figures[name]
        verdict = "met" if ratio >= target_ratio else "NOT met"
        print(f"project / {name:<5} = {ratio:5.2f}×  (target ≥ {target_ratio}×: {verdict})")


@dataclass
class Round:
    """One round of the measured paths: (c), the service runs (d), (c') after SQLite's."""

    raw: float
    raw_cores: float
    runs: list[tuple[str, ServiceRun]] = field(default_factory=list)
    sent: list[OutgoingMessage] = field(default_factory=list)  # what the SQLite run sent
    raw_rendered: float = 0.0


def _round(target: Sink, batch: list[OutgoingMessage], options: argparse.Namespace) -> Round:
    count, pool, size = options.messages, options.pool_size, options.batch_size
    ticks = _ticks()
    measured = Round(rate(_async(lambda: raw(target, batch, pool)), count), 0.0)
    measured.raw_cores = _busy_cores(ticks, _ticks())
    if options.service:
        sqlite = service(target, options.service, pool, size, kept=measured.sent)
        measured.runs.append(("SQLite", sqlite))
        rendered = (measured.sent * (count // len(measured.sent) + 1))[:count]
        measured.raw_rendered = rate(_async(lambda: raw(target, rendered, pool)), count)
    if options.service and options.database_url:
        for n in (int(k) for k in options.instances.split(",")):
            run = service(target, options.service, pool, size, options.database_url, n)
            measured.runs.append((f"PostgreSQL, {n} instance{'s' if n > 1 else ''}", run))
    return measured


def _scales(rounds: list[Round], name: str) -> list[float]:
    """`name`'s rate ÷ one PostgreSQL instance's, in each round."""
    return [dict(r.runs)[name].rate / dict(r.runs)["PostgreSQL, 1 instance"].rate for r in rounds]


def _median(values: list[float]) -> float:
    return statistics.median(values)


def _each(values: list[float], digits: int = 0) -> str:
    """The rounds' own values, when there is more than one."""
    if len(values) < 2:
        return ""
    return "  [" + " / ".join(f"{v:.{digits}f}" for v in values) + "]"


def _load(average: tuple[float, float, float]) -> str:
    return " ".join(f"{value:.2f}" for value in average)


if __name__ == "__main__":
    main()
