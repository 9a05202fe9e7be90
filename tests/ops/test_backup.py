"""`hygiene backup` and `hygiene backup --verify`, on the demo district."""

import os
import re
import shutil
import sqlite3
import subprocess
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import make_url

from hygiene import backup
from hygiene.errors import HygieneError
from tests.conftest import PG_URL, SECRET, requires_postgres

RunCli = Any


@pytest.fixture
def sqlite_env(tmp_path: Path) -> dict[str, str]:
    return {
        "HYGIENE_DATABASE_URL": f"sqlite:///{tmp_path / 'live.db'}",
        "HYGIENE_DATA_DIR": str(tmp_path / "var"),
        "HYGIENE_SECRET_KEY": SECRET,
        "HYGIENE_LOCALE": "en",
    }


@pytest.fixture
def demo_sqlite(run_cli: RunCli, sqlite_env: dict[str, str], tmp_path: Path) -> Path:
    for command in (["db", "upgrade"], ["demo"]):
        result = run_cli(*command, env=sqlite_env)
        assert result.exit_code == 0, result.output
    return tmp_path / "live.db"


def _rows(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    with closing(sqlite3.connect(path)) as connection:
        names = [
            row[0]
            for row in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
            )
        ]
        return {
            name: connection.execute(f'SELECT * FROM "{name}" ORDER BY rowid').fetchall()
            for name in names
        }


def test_it_copies_every_row_of_a_live_database(
    run_cli: RunCli, sqlite_env: dict[str, str], demo_sqlite: Path, tmp_path: Path
) -> None:
    target = tmp_path / "copy.db"
    result = run_cli("backup", "-o", str(target), env=sqlite_env)
    assert result.exit_code == 0, result.output
    copied, original = _rows(target), _rows(demo_sqlite)
    # The copy also holds its own marker (hygiene.restore); the live database never does.
    [marker] = copied.pop("backup_marker")
    assert original.pop("backup_marker") == []
    assert copied == original
    with closing(sqlite3.connect(demo_sqlite)) as connection:
        head = connection.execute(
            "SELECT seq, hash FROM audit_event ORDER BY seq DESC LIMIT 1"
        ).fetchone()
    assert marker[1] == "backup"
    assert (marker[3], marker[4]) == head
    assert f"log head #{head[0]}" in result.output
    assert len(copied["official"]) >= 40
    assert len(copied["audit_event"]) > 0


def test_it_verifies_the_copy_and_its_audit_chain(
    run_cli: RunCli, sqlite_env: dict[str, str], demo_sqlite: Path, tmp_path: Path
) -> None:
    target = tmp_path / "copy.db"
    assert run_cli("backup", "-o", str(target), env=sqlite_env).exit_code == 0
    result = run_cli("backup", "--verify", str(target), env=sqlite_env)
    assert result.exit_code == 0, result.output
    assert "integrity check: ok" in result.output
    assert "Audit chain intact" in result.output
    check = backup.verify_sqlite(target, key=_audit_key())
    assert check.ok
    assert check.tables["official"] >= 40


def test_it_names_the_first_tampered_event_of_a_backup(
    run_cli: RunCli, sqlite_env: dict[str, str], demo_sqlite: Path, tmp_path: Path
) -> None:
    target = tmp_path / "copy.db"
    assert run_cli("backup", "-o", str(target), env=sqlite_env).exit_code == 0
    with closing(sqlite3.connect(target)) as connection:
        triggers = connection.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        for (name,) in triggers.fetchall():
            connection.execute(f'DROP TRIGGER "{name}"')
        connection.execute("UPDATE audit_event SET actor = 'intruder' WHERE seq = 5")
        connection.commit()
    result = run_cli("backup", "--verify", str(target), env=sqlite_env)
    assert result.exit_code == 3
    assert "#5" in result.output


def test_it_writes_a_private_file_under_the_data_dir_by_default(
    run_cli: RunCli, sqlite_env: dict[str, str], demo_sqlite: Path, tmp_path: Path
) -> None:
    result = run_cli("backup", env=sqlite_env)
    assert result.exit_code == 0, result.output
    made = list((tmp_path / "var" / "backups").iterdir())
    assert len(made) == 1
    assert re.fullmatch(r"hygiene-\d{8}-\d{6}\.db", made[0].name)
    assert made[0].stat().st_mode & 0o077 == 0


def test_it_never_overwrites_an_existing_backup(
    run_cli: RunCli, sqlite_env: dict[str, str], demo_sqlite: Path, tmp_path: Path
) -> None:
    target = tmp_path / "copy.db"
    target.write_bytes(b"older backup")
    result = run_cli("backup", "-o", str(target), env=sqlite_env)
    assert result.exit_code == 1
    assert target.read_bytes() == b"older backup"


def test_it_refuses_to_verify_a_file_that_is_not_a_database(
    run_cli: RunCli, sqlite_env: dict[str, str], tmp_path: Path
) -> None:
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database at all" * 100)
    result = run_cli("backup", "--verify", str(junk), env=sqlite_env)
    assert result.exit_code == 1
    assert "not a readable SQLite database" in result.output


def test_it_backs_up_while_another_connection_holds_the_write_lock(
    demo_sqlite: Path, tmp_path: Path
) -> None:
    with closing(sqlite3.connect(demo_sqlite, isolation_level=None)) as writer:
        writer.execute("BEGIN IMMEDIATE")
        writer.execute("UPDATE unit SET name = name || ' (draft)'")
        backup.backup_sqlite(demo_sqlite, tmp_path / "copy.db")
        writer.execute("ROLLBACK")
    assert _rows(tmp_path / "copy.db") == _rows(demo_sqlite)


def test_it_says_clearly_when_pg_dump_is_missing(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    url = make_url("postgresql+psycopg://hygiene@127.0.0.1:5432/hygiene")
    with pytest.raises(HygieneError) as raised:
        backup.backup_postgres(url, tmp_path / "x.dump")
    assert raised.value.code == "ops.backup.no_pg_dump"
    assert "postgresql-client" in raised.value.render("en")


def test_it_keeps_the_database_password_off_the_pg_dump_command_line(tmp_path: Path) -> None:
    url = make_url("postgresql+psycopg://hygiene:s3cret-pw@db.example:5433/hygiene")
    argv, env = backup.pg_dump_command(url, tmp_path / "x.dump", "pg_dump")
    assert not any("s3cret-pw" in part for part in argv)
    assert env["PGPASSWORD"] == "s3cret-pw"
    assert "--dbname=postgresql://hygiene@db.example:5433/hygiene" in argv


@requires_postgres
@pytest.mark.skipif(shutil.which("pg_dump") is None, reason="pg_dump is not installed")
def test_it_dumps_postgresql_in_custom_format(run_cli: RunCli, tmp_path: Path) -> None:
    assert PG_URL
    assert run_cli("demo").exit_code == 0
    target = tmp_path / "hygiene.dump"
    result = run_cli("backup", "-o", str(target))
    assert result.exit_code == 0, result.output
    assert target.read_bytes()[:5] == b"PGDMP"
    listing = subprocess.run(
        ["pg_restore", "--list", str(target)],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "LC_ALL": "C"},
    )
    assert "TABLE DATA" in listing.stdout
    assert "audit_event" in listing.stdout


def _audit_key() -> bytes:
    from hygiene.audit import service as audit

    return audit.audit_key(SECRET.encode())
