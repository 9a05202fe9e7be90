"""What every fault scenario needs: a district with N due messages, the fault-injecting SMTP
sink, real `hygiene` service processes, a tally that compares the database with what the SMTP
server accepted, and the result file docs/reliability.md is generated from.

The services run as they do in production (`hygiene serve --no-web`: APScheduler ticks, leased
claims, the pooled SMTP channel), with time compressed by configuration only: a delivery tick
every second, 10 s leases, 1–10 s backoff and a 24-hour sending window.

Scale: the CI suite runs each scenario small; `make test-reliability` sets
RELIABILITY_SCALE=full (2-minute SMTP outage, 50,000-message concurrency runs, …).
"""

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, insert, or_, select, text
from sqlmodel import Session, col

from hygiene.audit import service as audit
from hygiene.campaigns import service as campaigns
from hygiene.db import readonly, session_scope
from hygiene.inventory.models import Account, Official
from hygiene.outbox.models import DeliveryAttempt, Message
from hygiene.settings import Settings
from tests import factories as f
from tests.conftest import SECRET

ROOT = Path(__file__).resolve().parents[3]
SINK = Path(__file__).resolve().with_name("sink.py")
HYGIENE = Path(sys.executable).with_name("hygiene")
FULL = os.environ.get("RELIABILITY_SCALE") == "full"
RESULTS = Path(os.environ.get("RELIABILITY_RESULTS", ROOT / "test-artifacts" / "reliability"))
LEASE_SECONDS = 10
SCHEDULER_STARTED = "Scheduler started"  # APScheduler's line, logged before its first tick
SETTLED = ("sent", "failed")  # an end state that is not "lost": delivered, or failed with reason


def scaled(ci: int, full: int) -> int:
    return full if FULL else ci


def backend(engine: Engine) -> str:
    return "postgresql" if engine.dialect.name == "postgresql" else "sqlite"


# --- the district -----------------------------------------------------------------------------


def seed(engine: Engine, count: int) -> None:
    """`count` officials, each with one email account last rotated 400 days ago."""
    now = datetime.now(UTC)
    with session_scope(engine) as session:
        unit = f.ident(f.unit(session))
    stamp = {"created_at": now, "updated_at": now}
    officials = [
        {
            "employee_id": f"R{n:06d}",
            "full_name": f"Cán bộ {n}",
            "unit_id": unit,
            "email": f"cb{n}@xa.example",
            "locale": "vi",
            "preferred_channels": "email",
            "active": True,
            **stamp,
        }
        for n in range(count)
    ]
    rotated = now.date() - timedelta(days=400)
    with engine.begin() as connection:
        connection.execute(insert(Official), officials)
        ids = connection.execute(select(col(Official.id))).scalars().all()
        connection.execute(
            insert(Account),
            [
                {
                    "official_id": pk,
                    "system": "Thư công vụ",
                    "kind": "email",
                    "login": f"cb{pk}@xa.example",
                    "last_rotated_on": rotated,
                    **stamp,
                }
                for pk in ids
            ],
        )


def plan(engine: Engine, settings: Settings) -> int:
    with session_scope(engine) as session:
        return campaigns.plan(
            session=session,
            settings=settings,
            now=datetime.now(UTC),
            campaign="rotation",
            audit_key=audit.audit_key(SECRET.encode()),
            actor="reliability",
        ).planned


def district(engine: Engine, settings: Settings, count: int) -> int:
    """Seed and plan; returns the number of planned messages (one per official)."""
    seed(engine, count)
    planned = plan(engine, settings)
    assert planned == count, f"planned {planned}, expected {count}"
    return planned


# --- the SMTP server ----------------------------------------------------------------------------


class Sink:
    """The fault-injecting SMTP server as a subprocess; stop() and start() keep its port."""

    def __init__(self, folder: Path, *, fail_rate: float = 0.0, delay: float = 0.0) -> None:
        self.record = folder / "accepted.log"
        self.options = ["--fail-rate", str(fail_rate), "--delay", str(delay)]
        self.port = 0
        self.process: subprocess.Popen[str] | None = None
        self.starts = 0

    def start(self) -> None:
        command = [sys.executable, str(SINK), "--record", str(self.record)]
        command += [*self.options, "--port", str(self.port), "--seed", str(self.starts)]
        self.process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        assert line.startswith("PORT "), f"the sink did not start: {line!r}"
        self.port, self.starts = int(line.split()[1]), self.starts + 1

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.communicate(timeout=10)
            self.process = None

    def accepted(self) -> Counter[str]:
        if not self.record.exists():
            return Counter()
        return Counter(self.record.read_text("ascii").split())


@contextmanager
def sink(folder: Path, **options: float) -> Iterator[Sink]:
    server = Sink(folder, **options)
    server.start()
    try:
        yield server
    finally:
        server.stop()


# --- the service --------------------------------------------------------------------------------


def service_env(db_url: str, folder: Path, smtp_port: int, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HYGIENE_")}
    env.update(
        {
            "HYGIENE_DATABASE_URL": db_url,
            "HYGIENE_SECRET_KEY": SECRET,
            "HYGIENE_DATA_DIR": str(folder / "var"),
            "HYGIENE_CHANNELS__SMTP__HOST": "127.0.0.1",
            "HYGIENE_CHANNELS__SMTP__PORT": str(smtp_port),
            "HYGIENE_CHANNELS__SMTP__SECURITY": "none",
            "HYGIENE_CHANNELS__SMTP__TIMEOUT": "5",
            "HYGIENE_DELIVERY__INTERVAL_SECONDS": "1",
            "HYGIENE_DELIVERY__LEASE_SECONDS": str(LEASE_SECONDS),
            "HYGIENE_DELIVERY__BACKOFF_BASE_SECONDS": "1",
            "HYGIENE_DELIVERY__BACKOFF_MAX_SECONDS": "10",
            "HYGIENE_DELIVERY__MAX_ATTEMPTS": "60",
            "HYGIENE_DELIVERY__WINDOW_START": "00:00:00",
            "HYGIENE_DELIVERY__WINDOW_END": "23:59:59",
            "HYGIENE_DELIVERY__DAYS": '["mon","tue","wed","thu","fri","sat","sun"]',
            **extra,
        }
    )
    return env


@dataclass
class Fleet:
    """`hygiene serve --no-web` processes sharing one database (each logs to its own file)."""

    env: dict[str, str]
    folder: Path
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def start(self, count: int = 1, *, args: tuple[str, ...] = ()) -> list[subprocess.Popen[bytes]]:
        """`count` more services (with self.env as it is now); `args` replace `--no-web`
        (e.g. a web port to poll /healthz)."""
        started = []
        for _ in range(count):
            log = (self.folder / f"service-{len(self.processes)}.log").open("wb")
            process = subprocess.Popen(
                [str(HYGIENE), "serve", *(args or ("--no-web",))],
                cwd=self.folder,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
            log.close()
            self.processes.append(process)
            started.append(process)
        return started

    def wait_started(self, timeout: float = 120) -> None:
        """Until every service logged that its scheduler runs. Work made due before that goes to
        whichever started first, and on a loaded machine start-up takes seconds to tens of
        seconds: a scenario that needs every instance to take part plans after this."""

        def started() -> bool:
            for n, process in enumerate(self.processes):
                assert process.poll() is None, f"service {n} exited:\n{tail(self.logs())}"
            return all(SCHEDULER_STARTED in self.log(n) for n in range(len(self.processes)))

        wait_until(started, timeout=timeout, what="every service's scheduler")

    def log(self, n: int) -> str:
        return (self.folder / f"service-{n}.log").read_text("utf-8", "replace")

    def kill(self, process: subprocess.Popen[bytes]) -> None:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill(process)

    def logs(self) -> str:
        return "\n".join(
            p.read_text("utf-8", "replace") for p in sorted(self.folder.glob("service-*.log"))
        )


@contextmanager
def fleet(env: dict[str, str], folder: Path, count: int = 1) -> Iterator[Fleet]:
    group = Fleet(env, folder)
    group.start(count)
    try:
        yield group
    finally:
        group.stop()


# --- observing ----------------------------------------------------------------------------------


def statuses(engine: Engine) -> Counter[str]:
    """Rows per status, read without SQLite's write lock (BEGIN DEFERRED under WAL), so polling
    works while another process holds the database."""
    query = select(col(Message.status), func.count()).group_by(col(Message.status))
    with Session(readonly(engine)) as session:
        return Counter({status: int(n) for status, n in session.execute(query).all()})


def in_flight(engine: Engine, owner: str | None = None) -> set[str]:
    """Message-IDs of rows in `sending` (optionally leased by a worker whose name has `owner`)."""
    query = select(col(Message.message_id), col(Message.idempotency_key)).where(
        col(Message.status) == "sending"
    )
    if owner is not None:
        query = query.where(col(Message.lease_owner).contains(owner))
    with Session(readonly(engine)) as session:
        return {mid or key for mid, key in session.execute(query)}


def as_message_ids(engine: Engine, ids: set[str]) -> set[str]:
    """in_flight() names a row by its idempotency key until it has a Message-ID; map every
    entry to the row's final Message-ID, to compare with what the server accepted."""
    if not ids:
        return set()
    query = select(col(Message.message_id)).where(
        or_(col(Message.message_id).in_(ids), col(Message.idempotency_key).in_(ids))
    )
    with Session(readonly(engine)) as session:
        return {mid for mid in session.execute(query).scalars() if mid}


def spanning(engine: Engine, instant: datetime) -> set[str]:
    """Message-IDs whose recorded send attempt was under way at `instant`."""
    query = (
        select(col(Message.message_id))
        .join(DeliveryAttempt, col(DeliveryAttempt.message_id) == col(Message.id))
        .where(
            col(DeliveryAttempt.started_at) <= instant,
            col(DeliveryAttempt.finished_at) >= instant,
        )
    )
    with Session(readonly(engine)) as session:
        return {mid for mid in session.execute(query).scalars() if mid}


def tail(text: str, lines: int = 40) -> str:
    return "\n".join(text.splitlines()[-lines:])


def wait_until(
    predicate: Callable[[], bool], *, timeout: float, what: str, poll: float = 0.2
) -> float:
    """Seconds until `predicate()` held; AssertionError (with `what`) after `timeout`."""
    start = time.monotonic()
    while not predicate():
        if time.monotonic() - start > timeout:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(poll)
    return time.monotonic() - start


def waiting(
    predicate: Callable[[], bool], *, timeout: float, what: str, engine: Engine, group: Fleet
) -> float:
    """wait_until(), failing with the rows per status and the tail of the services' logs."""
    try:
        return wait_until(predicate, timeout=timeout, what=what)
    except AssertionError as exc:
        raise AssertionError(f"{exc}: {statuses(engine)}\n{tail(group.logs())}") from None


def wait_settled(engine: Engine, group: Fleet, *, timeout: float, what: str = "delivery") -> float:
    """Seconds until nothing is pending or sending (see waiting())."""
    return waiting(lambda: settled(engine), timeout=timeout, what=what, engine=engine, group=group)


def sent_by_worker(engine: Engine) -> dict[str, int]:
    """ "sent" attempts per worker name (each service is a worker of its own)."""
    query = (
        select(col(DeliveryAttempt.worker), func.count())
        .where(col(DeliveryAttempt.outcome) == "sent")
        .group_by(col(DeliveryAttempt.worker))
    )
    with Session(engine) as session:
        return {worker: int(n) for worker, n in session.execute(query)}


def sent_count(engine: Engine) -> int:
    return statuses(engine)["sent"]


def settled(engine: Engine) -> bool:
    counts = statuses(engine)
    return counts["pending"] + counts["sending"] == 0


@dataclass
class Tally:
    """The database compared with what the SMTP server accepted, after a scenario."""

    planned: int
    sent: int
    failed: int
    unsettled: int  # pending, sending or dead at the end: counted as lost
    accepted: int  # distinct Message-IDs the server accepted
    lost: int  # planned messages neither settled nor accepted + "sent" rows the server lacks
    duplicated: int  # extra acceptances of a Message-ID
    duplicated_ids: set[str]
    failed_reasons: list[str]


def tally(engine: Engine, server: Sink) -> Tally:
    accepted = server.accepted()
    with Session(engine) as session:
        rows = session.execute(
            select(col(Message.status), col(Message.message_id), col(Message.last_error))
        )
        rows_list = list(rows)
    by_status = Counter(status for status, _, _ in rows_list)
    sent_ids = {mid for status, mid, _ in rows_list if status == "sent"}
    missing_at_server = {mid for mid in sent_ids if mid not in accepted}
    unsettled = sum(1 for status, _, _ in rows_list if status not in SETTLED)
    failed_reasons = [err or "" for status, _, err in rows_list if status == "failed"]
    duplicated = {mid for mid, n in accepted.items() if n > 1}
    return Tally(
        planned=len(rows_list),
        sent=by_status["sent"],
        failed=by_status["failed"],
        unsettled=unsettled,
        accepted=len(accepted),
        lost=unsettled + len(missing_at_server) + sum(1 for r in failed_reasons if not r),
        duplicated=sum(n - 1 for n in accepted.values() if n > 1),
        duplicated_ids=duplicated,
        failed_reasons=failed_reasons,
    )


def assert_all_delivered(
    result: Tally, planned: int, in_flight: set[str] | frozenset[str] = frozenset(), why: str = ""
) -> None:
    """The bound every scenario states: each planned message delivered, none lost or failed,
    and a Message-ID accepted twice only if it was in flight at a fault (none if that is empty)."""
    assert result.planned == planned, (why, result)
    assert result.lost == 0, (why, result)
    assert result.failed == 0, (why, result.failed_reasons[:5])
    assert result.accepted == result.sent == planned, (why, result)
    beyond = result.duplicated_ids - in_flight
    assert not beyond, (why, f"duplicated but not in flight: {sorted(beyond)[:20]}")


# --- results ------------------------------------------------------------------------------------


@dataclass
class Result:
    scenario: str
    backend: str
    scale: str
    runs: int
    messages: int
    lost: int
    duplicated: int
    duplicate_bound: int
    longest_recovery_seconds: float
    seconds: float
    notes: str = ""
    profile: str = field(default_factory=lambda: "full" if FULL else "ci")
    recorded_at: str = field(
        default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds")
    )


def record(result: Result) -> None:
    """One JSON file per scenario and backend; bench/reliability_report.py turns them into
    bench/results/reliability.json and docs/reliability.md."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    name = f"{result.scenario}--{result.backend}.json"
    (RESULTS / name).write_text(json.dumps(asdict(result), indent=2) + "\n", "utf-8")


def record_tally(
    scenario: str,
    engine: Engine,
    result: Tally,
    *,
    scale: str,
    seconds: float,
    bound: int = 0,
    recovery: float = 0.0,
    notes: str = "",
    runs: int = 1,
) -> None:
    """record() for a scenario judged by its Tally (`bound`: the duplicates it allowed)."""
    record(
        Result(
            scenario=scenario,
            backend=backend(engine),
            scale=scale,
            runs=runs,
            messages=result.planned,
            lost=result.lost,
            duplicated=result.duplicated,
            duplicate_bound=bound,
            longest_recovery_seconds=round(recovery, 1),
            seconds=round(seconds, 1),
            notes=notes,
        )
    )


def pg_execute(engine: Engine, sql: str, **params: Any) -> None:
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text(sql), params)
