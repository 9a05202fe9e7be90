import time

from sqlalchemy import Engine, text

from hygiene import db


def test_a_read_session_does_not_wait_for_a_writer(engine: Engine) -> None:
    if engine.dialect.name != "sqlite":
        return  # PostgreSQL readers never wait for writers
    with engine.begin() as writer:
        writer.execute(text("INSERT INTO unit (name, created_at) VALUES ('u', '2026-01-01')"))
        started = time.monotonic()
        with db.read_session(engine) as reader:
            count = reader.execute(text("SELECT count(*) FROM unit")).scalar_one()
        waited = time.monotonic() - started

    assert count == 0  # the writer has not committed yet
    assert waited < db.SQLITE_BUSY_TIMEOUT_MS / 1000 / 2


def test_sqlite_pragmas_are_set(engine: Engine) -> None:
    if engine.dialect.name != "sqlite":
        return
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar_one() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar_one() == 1
        assert (
            connection.exec_driver_sql("PRAGMA busy_timeout").scalar_one()
            == db.SQLITE_BUSY_TIMEOUT_MS
        )
