import time
from datetime import UTC, datetime

from sqlalchemy import Engine, text
from sqlmodel import Session, select

from hygiene import db
from hygiene.db import table
from hygiene.inventory.models import Official, Unit


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


def test_insert_rows_stores_what_the_orm_reads_back(session: Session) -> None:
    now = datetime(2026, 3, 2, 8, 30, 15, 123456, tzinfo=UTC)
    session.execute(table(Unit).insert().values(name="u", created_at=now))
    unit_id = session.execute(select(Unit.id)).scalar_one()
    columns = ("employee_id", "full_name", "unit_id", "email", "phone", "locale", "active",
               "preferred_channels", "created_at", "updated_at")  # fmt: skip
    rows = [
        (f"CB{n}", f"Tên {n}", unit_id, None, "+84912345678", "vi", n % 2 == 0, "email", now, now)
        for n in range(3)
    ]
    db.insert_rows(session, table(Official), columns, rows)
    session.commit()

    stored = session.execute(select(Official).order_by(Official.employee_id)).scalars().all()
    assert [(o.employee_id, o.full_name, o.active) for o in stored] == [
        ("CB0", "Tên 0", True),
        ("CB1", "Tên 1", False),
        ("CB2", "Tên 2", True),
    ]
    assert {o.created_at.replace(tzinfo=UTC) for o in stored} == {now.replace(tzinfo=UTC)}


def test_bulk_cache_enlarges_sqlites_page_cache_and_restores_it(session: Session) -> None:
    connection = session.connection()
    if connection.dialect.name != "sqlite":
        return  # PostgreSQL: nothing to size
    before = connection.exec_driver_sql("PRAGMA cache_size").scalar_one()

    with db.bulk_cache(session, mib=32):
        during = connection.exec_driver_sql("PRAGMA cache_size").scalar_one()

    assert during == -32 * 1024
    assert connection.exec_driver_sql("PRAGMA cache_size").scalar_one() == before != during
