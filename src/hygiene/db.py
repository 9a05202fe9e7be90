"""Engine, sessions and migrations.

SQLite is the embedded default. Every SQLite transaction starts with BEGIN IMMEDIATE: a deferred
transaction that reads and then writes fails with SQLITE_BUSY_SNAPSHOT under WAL when another
process wrote in between, and busy_timeout cannot help it. PostgreSQL is the production store.
"""

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import Any, cast

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, Table, create_engine, event
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url
from sqlmodel import Session, SQLModel

from hygiene import files

SQLITE_BUSY_TIMEOUT_MS = 30_000
READONLY = "hygiene_readonly"


def table(model: type[SQLModel]) -> Table:
    """The Core table of a model: bulk writes go through Core, skipping ORM bookkeeping."""
    return cast(Table, sa_inspect(model).local_table)


def insert_rows(
    session: Session, target: Table, columns: Sequence[str], rows: Sequence[Sequence[Any]]
) -> None:
    """INSERT `rows`, plain tuples in `columns` order, with one driver executemany.

    The statement is built once and each column's bind processor (SQLite keeps dates and times as
    text) is applied column by column; SQLAlchemy's own executemany builds and processes a
    parameter dict per row, which costs more than the insert itself on SQLite."""
    if not rows:
        return
    connection = session.connection()
    dialect = connection.dialect
    processors = [target.c[n].type.dialect_impl(dialect).bind_processor(dialect) for n in columns]
    if any(processors):
        rows = _processed(rows, processors)
    quote = dialect.identifier_preparer.quote
    marker = "?" if dialect.paramstyle == "qmark" else "%s"  # qmark: SQLite; psycopg: format
    names = ", ".join(quote(n) for n in columns)
    markers = ", ".join(marker for _ in columns)
    # Names from the table's own metadata, values bound: nothing from the input reaches the SQL.
    sql = f"INSERT INTO {quote(target.name)} ({names}) VALUES ({markers})"  # noqa: S608
    connection.exec_driver_sql(sql, list(rows))


def _processed(rows: Sequence[Sequence[Any]], processors: Sequence[Any]) -> list[tuple[Any, ...]]:
    """Rows with the processed columns converted, column by column and each distinct value once
    (those columns hold dates, times and flags: few distinct values)."""
    columns: list[Sequence[Any]] = list(zip(*rows, strict=True))
    for index, process in enumerate(processors):
        if process is not None:
            column = columns[index]
            converted = {value: process(value) for value in set(column)}
            columns[index] = list(map(converted.__getitem__, column))
    return list(zip(*columns, strict=True))


@contextmanager
def bulk_cache(session: Session, mib: int = 64) -> Iterator[None]:
    """On SQLite, a page cache of `mib` MiB for this connection while a bulk write runs, then the
    previous size again. A large import inserts into indexes in random order (the audit hashes):
    with SQLite's default 2 MB, most inserts read and spill a page (measured: 1.25M hashed rows,
    19.8 s of CPU, half of it system time; with 64 MiB, 11.5 s). Nothing on PostgreSQL."""
    connection = session.connection()
    if connection.dialect.name != "sqlite":
        yield
        return
    before = connection.exec_driver_sql("PRAGMA cache_size").scalar_one()
    connection.exec_driver_sql(f"PRAGMA cache_size={-1024 * int(mib)}")
    try:
        yield
    finally:
        connection.exec_driver_sql(f"PRAGMA cache_size={int(before)}")


def row_id(value: int | None) -> int:
    """The id of a flushed row (table models type it optional until then)."""
    if value is None:
        raise RuntimeError("row has no id yet: flush the session first")
    return value


def insert_ignore(
    session: Session | Connection,
    model: type[SQLModel],
    values: dict[str, Any],
    keys: list[str],
) -> None:
    """INSERT … ON CONFLICT (keys) DO NOTHING, on either dialect."""
    bind = session if isinstance(session, Connection) else session.get_bind()
    dialect = bind.dialect.name
    builder = postgresql.insert if dialect == "postgresql" else sqlite.insert
    session.execute(
        builder(table(model)).values(**values).on_conflict_do_nothing(index_elements=keys)
    )


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def make_engine(url: str, **kwargs: Any) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            # SQLite gives the -wal and -shm files the database file's own mode.
            files.private_file(Path(parsed.database))
        engine = create_engine(
            url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}, **kwargs
        )
        _configure_sqlite(engine)
        return engine
    return create_engine(url, pool_pre_ping=True, **kwargs)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control away from pysqlite so that "begin" below decides.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        readonly = connection.get_execution_options().get(READONLY, False)
        connection.exec_driver_sql("BEGIN DEFERRED" if readonly else "BEGIN IMMEDIATE")


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """A session whose transaction commits on success and rolls back on error."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def readonly(engine: Engine) -> Engine:
    """The same engine for pure reads: on SQLite they BEGIN DEFERRED and do not take the write
    lock (WAL readers never block writers). Only for code that never writes in the transaction."""
    return engine.execution_options(**{READONLY: True})


@contextmanager
def read_session(engine: Engine) -> Iterator[Session]:
    with Session(readonly(engine)) as session:
        try:
            yield session
        finally:
            session.rollback()


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(resources.files("hygiene") / "migrations"))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to `revision` (idempotent)."""
    command.upgrade(alembic_config(engine), revision)


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with readonly(engine).connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()
