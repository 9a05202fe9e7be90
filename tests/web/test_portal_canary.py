"""A canary password pushed through every path that accepts a password must end up nowhere:
not in the database files, the logs, the outbox, the audit log or any later response."""

import logging
import uuid
from pathlib import Path

import httpx2
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url
from sqlmodel import Session, SQLModel, col, select
from typer.testing import CliRunner

from hygiene.audit import service as audit
from hygiene.inventory.models import Account
from hygiene.settings import Settings
from tests.web.portal_helpers import make_official, sign_in
from tests.web.test_console_auth import csrf


@pytest.fixture
def canary() -> str:
    return f"Canary{uuid.uuid4().hex[:12]}Quokka"


def everything_in_the_database(engine: Engine, settings: Settings) -> bytes:
    url = make_url(settings.db_url)
    if url.get_backend_name() == "sqlite":
        files = [Path(f"{url.database}{suffix}") for suffix in ("", "-wal", "-shm", "-journal")]
        return b"".join(path.read_bytes() for path in files if path.exists())
    dumped = []
    with engine.connect() as connection:
        for table in SQLModel.metadata.sorted_tables:
            rows = connection.execute(text(f'SELECT * FROM "{table.name}"')).all()
            dumped.append(repr(rows))
    return "\n".join(dumped).encode("utf-8")


def everything_on_disk(settings: Settings) -> bytes:
    return b"".join(p.read_bytes() for p in settings.data_dir.rglob("*") if p.is_file())


def strength(client: TestClient, candidate: str, account: str = "") -> httpx2.Response:
    token = csrf(client, "/portal/strength")
    return client.post(
        "/portal/strength", data={"candidate": candidate, "account": account, "csrf_token": token}
    )


def test_the_canary_password_is_found_nowhere(
    client: TestClient,
    session: Session,
    settings: Settings,
    engine: Engine,
    runner: CliRunner,
    cli_env: dict[str, str],
    caplog: pytest.LogCaptureFixture,
    canary: str,
) -> None:
    caplog.set_level(logging.DEBUG)
    make_official(session)
    responses = [strength(client, canary), strength(client, canary + "x" * 72)]
    sign_in(client, settings)
    mail = session.exec(select(Account).order_by(col(Account.id))).first()
    assert mail is not None
    session.commit()
    responses.append(strength(client, canary, account=str(mail.id)))
    from hygiene.cli import app

    cli = runner.invoke(
        app,
        ["check-password", "--for", "CB001", "--account", "Zalo"],
        env=cli_env,
        input=canary + "\n",
    )
    later = [client.get(path) for path in ("/portal", "/portal/strength", "/portal/advisories")]
    session.expire_all()

    assert cli.exit_code == 0, cli.output
    assert all(r.status_code in (200, 400) for r in responses)
    assert session.get_one(Account, mail.id).strength_score is not None
    seen = [r.text + repr(r.headers) for r in responses + later] + [cli.output]
    assert not [s for s in seen if canary in s]
    assert canary not in caplog.text
    assert canary.encode() not in everything_in_the_database(engine, settings)
    assert canary.encode() not in everything_on_disk(settings)
    assert canary not in repr(list(audit.export_rows(session)))
