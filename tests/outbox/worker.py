"""A delivery worker in its own process, for the multi-process and SIGKILL tests.

    python -m tests.outbox.worker DB_URL OUTBOX_DIR CALL_LOG AT [--delay S] [--batch N]

Sends through a file channel that also appends one line per provider call to CALL_LOG
("key message_id pid", flushed and fsynced before the send returns), so a test can count calls
even when the process is killed.
"""

import argparse
import asyncio
import os
from datetime import datetime
from pathlib import Path

from hygiene import db
from hygiene.audit import service as audit
from hygiene.bootstrap import build_deps
from hygiene.channels.base import OutgoingMessage, Result
from hygiene.channels.file import FileChannel
from hygiene.clock import FixedClock
from hygiene.outbox.delivery import Deliverer
from hygiene.restore import notice as restore
from hygiene.settings import Delivery, Settings

SECRET = "test-secret-key-for-hygiene-0123456789"
ALL_DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


class CountingFileChannel(FileChannel):
    def __init__(self, directory: Path, log: Path, delay: float) -> None:
        super().__init__(directory, from_address="hygiene@xa.example")
        self.log, self.delay = log, delay

    async def send(self, message: OutgoingMessage) -> Result:
        await asyncio.sleep(self.delay)
        result = await super().send(message)
        with self.log.open("a", encoding="utf-8") as handle:
            handle.write(f"{message.idempotency_key} {message.message_id} {os.getpid()}\n")
            handle.flush()
            os.fsync(handle.fileno())
        return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("db_url")
    parser.add_argument("outbox", type=Path)
    parser.add_argument("log", type=Path)
    parser.add_argument("at")
    parser.add_argument("--delay", type=float, default=0.0)
    parser.add_argument("--batch", type=int, default=5)
    args = parser.parse_args()
    settings = Settings(
        database_url=args.db_url,
        secret_key=SECRET,
        data_dir=args.outbox.parent,
        delivery=Delivery(batch_size=args.batch, lease_seconds=60, days=ALL_DAYS),
    )
    engine = db.make_engine(settings.db_url)
    clock = FixedClock(datetime.fromisoformat(args.at))
    deps = build_deps(settings, clock=clock, engine=engine)
    deliverer = Deliverer(
        engine=engine,
        settings=settings,
        secret=SECRET.encode(),
        audit_key=audit.audit_key(SECRET.encode()),
        channels={"file": CountingFileChannel(args.outbox, args.log, args.delay)},
        clock=clock,
        worker=f"pid{os.getpid()}",
        renderer=deps.renderer,
        readers=deps.readers,
        hold_restored=restore.notice,
    )
    asyncio.run(deliverer.drain())
    engine.dispose()


if __name__ == "__main__":
    main()
