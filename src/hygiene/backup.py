"""Backups of the database, and the check of a SQLite backup.

SQLite is copied with the sqlite3 online backup API: the copy is consistent even while the service
writes (the API restarts or locks as needed), unlike a plain file copy of a WAL database. The copy
is switched to a rollback journal so that it is one self-contained file. PostgreSQL is dumped with
`pg_dump --format=custom` (restore with `pg_restore`); the password goes through PGPASSWORD, never
the command line; a URL that sets a search_path (`options=-csearch_path=…`) dumps that schema only.
Either backup carries a marker (hygiene.restore): a service started on the restored copy holds the
messages that were waiting at backup time instead of sending them again. Neither holds the service
secret: back up the secret key file separately.
"""

import contextlib
import os
import re
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine, create_engine, inspect, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import NullPool
from sqlmodel import Session

from hygiene import files
from hygiene.audit import service as audit
from hygiene.audit.models import AuditEvent
from hygiene.db import table
from hygiene.errors import HygieneError
from hygiene.restore import marking as restore
from hygiene.restore.marking import Mark
from hygiene.settings import Settings

PG_DUMP_TIMEOUT_SECONDS = 3600
AUDIT_TABLE = table(AuditEvent).name


@dataclass(frozen=True)
class BackupResult:
    path: Path
    size: int
    backend: str  # "sqlite" | "postgresql"
    mark: Mark | None = None  # what the backup records about itself (None: schema too old)


@dataclass(frozen=True)
class BackupCheck:
    integrity: str  # "ok", or SQLite's first complaint
    revision: str | None
    tables: dict[str, int]
    audit: audit.Verification

    @property
    def ok(self) -> bool:
        return self.integrity == "ok" and self.audit.ok


def default_path(settings: Settings, now: datetime, *, postgres: bool) -> Path:
    """<data_dir>/backups/hygiene-YYYYmmdd-HHMMSS.db (.dump for PostgreSQL), in local time."""
    stamp = now.astimezone(settings.zone).strftime("%Y%m%d-%H%M%S")
    return settings.data_dir / "backups" / f"hygiene-{stamp}.{'dump' if postgres else 'db'}"


def backup(settings: Settings, *, target: Path, now: datetime) -> BackupResult:
    """Back up the database into `target`, with a marker inside (hygiene.restore): the time and
    the log's head it was taken at, so that a service started on the restored copy holds the
    messages that were waiting instead of sending them again."""
    url = make_url(settings.db_url)
    if target.exists():
        raise HygieneError("ops.backup.exists", path=str(target))
    files.private_dir(target.parent)
    if url.get_backend_name() == "sqlite":
        if not url.database or url.database == ":memory:":
            raise HygieneError("ops.backup.memory")
        mark = backup_sqlite(Path(url.database), target, now=now)
        backend = "sqlite"
    elif url.get_backend_name() == "postgresql":
        try:
            with restore.mark_postgres(settings.db_url, now=now) as (snapshot, mark):
                backup_postgres(url, target, snapshot=snapshot)
        except DBAPIError as exc:
            reason = str(exc.orig or exc).strip().splitlines()[0]
            raise HygieneError("ops.backup.failed", reason=reason) from None
        backend = "postgresql"
    else:
        raise HygieneError("ops.backup.unsupported", backend=url.get_backend_name())
    return BackupResult(path=target, size=target.stat().st_size, backend=backend, mark=mark)


def backup_sqlite(source: Path, target: Path, *, now: datetime | None = None) -> Mark | None:
    """Copy a live SQLite database into `target` (mode 0600: it holds personal data); with `now`,
    the copy (never the live database) gets its marker."""
    if not source.is_file():
        raise HygieneError("ops.backup.no_database", path=str(source))
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    files.private_file(partial)
    try:
        with (
            contextlib.closing(
                sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)
            ) as src,
            contextlib.closing(sqlite3.connect(partial)) as dst,
        ):
            src.backup(dst)
            dst.execute("PRAGMA journal_mode=DELETE")
        mark = restore.mark_sqlite(partial, now=now) if now is not None else None
        partial.replace(target)
        return mark
    except (sqlite3.Error, DBAPIError) as exc:
        raise HygieneError("ops.backup.failed", reason=str(exc)) from None
    finally:
        partial.unlink(missing_ok=True)


def search_path_schema(url: URL) -> str | None:
    """The first schema of `options=-csearch_path=…` in the URL, if it sets one."""
    options = url.query.get("options")
    text_ = " ".join(options) if isinstance(options, tuple) else options or ""
    match = re.search(r"-c\s*search_path=([^,\s]+)", text_)
    return match.group(1).strip('"') if match else None


def pg_dump_command(
    url: URL, target: Path, pg_dump: str, *, snapshot: str | None = None
) -> tuple[list[str], dict[str, str]]:
    """The argv and environment for pg_dump; the password is only in the environment."""
    env = dict(os.environ)
    if url.password is not None:
        env["PGPASSWORD"] = str(url.password)
    libpq = URL.create(
        "postgresql",
        username=url.username,
        host=url.host,
        port=url.port,
        database=url.database,
        query=url.query,
    ).render_as_string(hide_password=False)
    argv = [pg_dump, "--format=custom", "--no-owner", f"--file={target}", f"--dbname={libpq}"]
    schema = search_path_schema(url)
    if schema is not None:  # hygiene's tables live in that schema: only it is dumped
        argv.insert(1, f"--schema={schema}")
    if snapshot is not None:  # the snapshot that holds the backup's marker (hygiene.restore)
        argv.insert(1, f"--snapshot={snapshot}")
    return argv, env


def backup_postgres(
    url: URL, target: Path, *, pg_dump: str | None = None, snapshot: str | None = None
) -> None:
    program = pg_dump or shutil.which("pg_dump")
    if program is None:
        raise HygieneError("ops.backup.no_pg_dump")
    argv, env = pg_dump_command(url, target, program, snapshot=snapshot)
    files.private_file(target)  # pg_dump truncates it and keeps the mode
    try:
        done = subprocess.run(  # noqa: S603  (argv built above, no shell)
            argv, env=env, capture_output=True, text=True, timeout=PG_DUMP_TIMEOUT_SECONDS
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        target.unlink(missing_ok=True)
        raise HygieneError("ops.backup.failed", reason=str(exc)) from None
    if done.returncode != 0:
        target.unlink(missing_ok=True)
        lines = done.stderr.strip().splitlines() or [f"exit {done.returncode}"]
        raise HygieneError("ops.backup.failed", reason=lines[-1])


@contextlib.contextmanager
def _readonly_engine(path: Path) -> Iterator[Engine]:
    if not path.is_file():
        raise HygieneError("ops.verify.missing", path=str(path))
    uri = f"{path.resolve().as_uri()}?mode=ro"
    engine = create_engine(
        "sqlite://", creator=lambda: sqlite3.connect(uri, uri=True), poolclass=NullPool
    )
    try:
        yield engine
    finally:
        engine.dispose()


def verify_sqlite(path: Path, *, key: bytes, most: int | None = None) -> BackupCheck:
    """Open a SQLite backup read-only: integrity check, schema revision, row counts, audit chain
    (walked by at most `most` processes, security.verify_workers)."""
    with _readonly_engine(path) as engine:
        try:
            integrity, revision, tables = _inspect(engine)
            if AUDIT_TABLE not in tables:
                raise HygieneError("ops.verify.not_hygiene", path=str(path))
            with Session(engine) as session:
                chain = audit.verify(session, key=key, most=most)
        except (sqlite3.DatabaseError, DBAPIError) as exc:
            reason = str(getattr(exc, "orig", None) or exc).splitlines()[0]
            raise HygieneError("ops.verify.not_database", path=str(path), reason=reason) from None
    return BackupCheck(integrity=integrity, revision=revision, tables=tables, audit=chain)


def _inspect(engine: Engine) -> tuple[str, str | None, dict[str, int]]:
    with engine.connect() as connection:
        integrity = str(connection.exec_driver_sql("PRAGMA integrity_check").scalar())
        names = inspect(connection).get_table_names()
        tables = {
            name: int(connection.execute(text(f'SELECT count(*) FROM "{name}"')).scalar_one())  # noqa: S608  (names from the schema)
            for name in names
        }
        revision = None
        if "alembic_version" in names:
            revision = connection.exec_driver_sql(
                "SELECT version_num FROM alembic_version"
            ).scalar()
    return integrity, revision, tables
