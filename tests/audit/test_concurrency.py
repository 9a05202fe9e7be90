"""Two processes appending to one log at once must not fork the chain (BEGIN IMMEDIATE on SQLite,
an advisory lock on PostgreSQL)."""

import subprocess
import sys
import textwrap
import uuid

import pytest
from sqlalchemy import text
from sqlmodel import Session

from hygiene import db
from hygiene.audit import service as audit
from tests.conftest import PG_URL, SECRET, RunCli, _with_search_path

WRITER = textwrap.dedent(
    """
    import sys
    from datetime import UTC, datetime
    from hygiene import db
    from hygiene.audit import service as audit
    url, name, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
    engine = db.make_engine(url)
    key = audit.audit_key(sys.argv[4].encode())
    for i in range(count):
        with db.session_scope(engine) as session:
            audit.append(session, key=key, now=datetime.now(UTC), actor=name,
                         action="test.append", subject=f"{name}:{i}")
    """
)


def append_concurrently(url: str, writers: int = 2, each: int = 40) -> None:
    procs = [
        subprocess.Popen([sys.executable, "-c", WRITER, url, f"w{n}", str(each), SECRET])
        for n in range(writers)
    ]
    assert [p.wait(timeout=120) for p in procs] == [0] * writers


def test_concurrent_appends_keep_one_chain(session: Session, db_url: str, audit_key: bytes) -> None:
    append_concurrently(db_url)

    result = audit.verify(session, key=audit_key)

    assert (result.ok, result.count) == (True, 80)


@pytest.mark.postgres
def test_cli_migrates_an_empty_postgresql_schema(run_cli: RunCli) -> None:
    assert PG_URL
    schema = f"hyg_cli_{uuid.uuid4().hex[:8]}"
    admin = db.make_engine(PG_URL)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        env = {"HYGIENE_DATABASE_URL": _with_search_path(PG_URL, schema)}
        upgraded = run_cli("db", "upgrade", env=env)
        demo = run_cli("demo", env=env)
        assert upgraded.exit_code == 0, upgraded.output
        assert "Cán bộ đang theo dõi: 50" in demo.stdout
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
