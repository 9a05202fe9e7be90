"""Personal data on disk is private whatever the umask (issue 13, item 10)."""

import asyncio
import os
import stat
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text

from hygiene import backup, db
from hygiene.channels.base import OutgoingMessage
from hygiene.channels.file import FileChannel
from hygiene.settings import Settings
from tests.conftest import SECRET


@pytest.fixture(autouse=True)
def _permissive_umask() -> Iterator[None]:
    previous = os.umask(0)  # the worst case outside systemd
    try:
        yield
    finally:
        os.umask(previous)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_sqlite_database_and_its_wal_are_0600_in_a_0700_folder(tmp_path: Path) -> None:
    path = tmp_path / "data" / "hygiene.db"
    engine = db.make_engine(f"sqlite:///{path}")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE t (x INTEGER)"))
        connection.execute(text("INSERT INTO t VALUES (1)"))
        written = [p for p in path.parent.iterdir() if p.name.startswith("hygiene.db")]
        assert {p.name for p in written} >= {"hygiene.db", "hygiene.db-wal", "hygiene.db-shm"}
        assert {p.name: mode(p) for p in written} == {p.name: 0o600 for p in written}
    engine.dispose()
    assert mode(path.parent) == 0o700


def test_outbox_files_are_0600_in_a_0700_folder(tmp_path: Path) -> None:
    folder = tmp_path / "var" / "outbox"
    channel = FileChannel(folder, from_address="hygiene@xa.example")
    message = OutgoingMessage(
        to="huong@xa.example", subject="Nhắc", text="Nội dung", idempotency_key="k:1",
        message_id="<k1@xa.example>",
    )  # fmt: skip
    asyncio.run(channel.send(message))
    asyncio.run(channel.send(replace(message, to="+84912345678")))

    assert [mode(p) for p in folder.iterdir()] == [0o600, 0o600]
    assert mode(folder) == mode(folder.parent) == 0o700


def test_a_backup_is_0600_in_a_0700_folder(tmp_path: Path) -> None:
    source = tmp_path / "live.db"
    db.make_engine(f"sqlite:///{source}").dispose()
    db.upgrade(db.make_engine(f"sqlite:///{source}"))
    settings = Settings(database_url=f"sqlite:///{source}", secret_key=SECRET, data_dir=tmp_path)
    target = tmp_path / "backups" / "nightly" / "hygiene.db"

    backup.backup(settings, target=target, now=datetime.now(UTC))

    assert mode(target) == 0o600
    assert mode(target.parent) == mode(target.parent.parent) == 0o700
