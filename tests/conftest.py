"""Fixtures: settings, a migrated database per test (SQLite file, or PostgreSQL when
HYGIENE_TEST_DATABASE_URL is set), a fixed clock, and a CLI runner wired to the same database."""

import os
import shutil
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url
from sqlmodel import Session, SQLModel
from typer.testing import CliRunner, Result

from hygiene import db
from hygiene import models as _models  # noqa: F401  (fills SQLModel.metadata)
from hygiene.audit import service as audit
from hygiene.bootstrap import Deps, build_deps
from hygiene.clock import FixedClock
from hygiene.settings import Settings

pytest_plugins = ["tests.transport_origin"]  # a leaked socket transport names its test

PG_URL = os.environ.get("HYGIENE_TEST_DATABASE_URL")
SECRET = "test-secret-key-for-hygiene-0123456789"
NOW = datetime(2026, 3, 2, 3, 0, tzinfo=UTC)  # Monday 02/03/2026, 10:00 in Hà Nội

requires_postgres = pytest.mark.skipif(
    not PG_URL, reason="PostgreSQL leg: set HYGIENE_TEST_DATABASE_URL"
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if item.get_closest_marker("postgres") and not PG_URL:
            item.add_marker(pytest.mark.skip(reason="needs HYGIENE_TEST_DATABASE_URL"))


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("HYGIENE_") and name != "HYGIENE_TEST_DATABASE_URL":
            monkeypatch.delenv(name)
    monkeypatch.delenv("COLUMNS", raising=False)  # CLI tables wrap only when a test asks
    for name in ("LC_ALL", "LC_MESSAGES"):  # the CLI falls back to the shell's language
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")


def _with_search_path(url: str, schema: str) -> str:
    parsed = make_url(url)
    return parsed.update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(
        hide_password=False
    )


@pytest.fixture(scope="session")
def _database_template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """SQLite: a migrated file to copy per test. PostgreSQL: a private, migrated schema."""
    if not PG_URL:
        path = tmp_path_factory.mktemp("template") / "hygiene.db"
        engine = db.make_engine(f"sqlite:///{path}")
        db.upgrade(engine)
        engine.dispose()
        yield str(path)
        return
    schema = f"hyg_test_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    admin = db.make_engine(PG_URL)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = _with_search_path(PG_URL, schema)
    engine = db.make_engine(url)
    db.upgrade(engine)
    engine.dispose()
    yield url
    with admin.begin() as connection:
        connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture
def db_url(_database_template: str, tmp_path: Path) -> Iterator[str]:
    if not PG_URL:
        target = tmp_path / "hygiene.db"
        shutil.copyfile(_database_template, target)
        yield f"sqlite:///{target}"
        return
    engine = db.make_engine(_database_template)
    tables = ", ".join(f'"{t.name}"' for t in SQLModel.metadata.sorted_tables)
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()
    yield _database_template


@pytest.fixture
def settings(db_url: str, tmp_path: Path) -> Settings:
    return Settings(database_url=db_url, data_dir=tmp_path / "var", secret_key=SECRET)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


@pytest.fixture
def engine(settings: Settings) -> Iterator[Engine]:
    engine = db.make_engine(settings.db_url)
    yield engine
    engine.dispose()


@pytest.fixture
def deps(settings: Settings, engine: Engine, clock: FixedClock) -> Deps:
    return build_deps(settings, clock=clock, engine=engine)


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with Session(engine, expire_on_commit=False) as s:
        yield s


@pytest.fixture
def audit_key() -> bytes:
    return audit.audit_key(SECRET.encode())


@pytest.fixture
def cli_env(db_url: str, tmp_path: Path) -> dict[str, str]:
    return {
        "HYGIENE_DATABASE_URL": db_url,
        "HYGIENE_SECRET_KEY": SECRET,
        "HYGIENE_DATA_DIR": str(tmp_path / "var"),
    }


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


class RunCli(Protocol):
    """The `run_cli` fixture: `hygiene ARGS…` in-process on the test database."""

    def __call__(self, *args: str, env: dict[str, str] | None = None) -> Result: ...


@pytest.fixture
def run_cli(runner: CliRunner, cli_env: dict[str, str]) -> RunCli:
    from hygiene.cli import app

    def run(*args: str, env: dict[str, str] | None = None) -> Result:
        return runner.invoke(app, list(args), env={**cli_env, **(env or {})})

    return run
