"""One run pushes a unique canary through every path that accepts a password (portal strength
form signed out and in, console setup and sign-in, right and wrong, `hygiene check-password`) and
through every path where one could leak by mistake (an import file with a password column over the
CLI, the console and the API; an SMTP password refused by a real server; SMS and Zalo secrets
echoed back by a failing provider). Then it searches every byte the system keeps or shows."""

import io
import json
import logging
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, col, select
from typer.testing import CliRunner

from hygiene import logs
from hygiene.audit import checkpoints
from hygiene.audit import service as audit
from hygiene.bootstrap import Deps
from hygiene.cli import app
from hygiene.inventory.models import Account
from hygiene.runtime import Runtime
from hygiene.settings import Settings
from hygiene.users import service as users
from hygiene.web.app import create_app
from tests.channels.conftest import SmtpServer
from tests.conftest import NOW, SECRET
from tests.helpers import write_xls
from tests.reliability.security_helpers import (
    IMPORT_HEADER,
    HostileProvider,
    channel_env,
    csrf,
    everything_in_the_database,
    everything_on_disk,
    fail_every_channel,
    self_signed,
)
from tests.web.portal_helpers import make_official, sign_in
from tests.web.staff import api_token

Response = Any  # httpx's or httpx2's, whichever starlette's TestClient uses


@pytest.fixture
def canary() -> str:
    return f"Canary{uuid.uuid4().hex[:12]}Quokka"


@pytest.fixture
def json_log(settings: Settings) -> Iterator[io.StringIO]:
    """The production handler in JSON format, at DEBUG, into a StringIO."""
    stream = io.StringIO()
    root = logging.getLogger()
    level = root.level
    handler = logs.configure_logging(
        settings.model_copy(update={"log_format": "json"}), stream=stream, level=logging.DEBUG
    )
    yield stream
    root.removeHandler(handler)
    handler.close()
    root.setLevel(level)


@pytest.fixture
def client(deps: Deps) -> Iterator[TestClient]:
    with TestClient(create_app(deps, runtime=Runtime(started_at=deps.clock.now()))) as c:
        yield c


def post_form(client: TestClient, path: str, data: dict[str, str], page: str = "") -> Response:
    token = csrf(client, page or path)
    return client.post(path, data={**data, "csrf_token": token}, follow_redirects=False)


def through_the_portal(
    client: TestClient, settings: Settings, session: Session, canary: str
) -> list[Response]:
    seen = [
        post_form(client, "/portal/strength", {"candidate": canary, "account": ""}),
        post_form(client, "/portal/strength", {"candidate": canary + "x" * 80, "account": ""}),
    ]
    seen.append(sign_in(client, settings))
    mail = session.exec(select(Account).order_by(col(Account.id))).first()
    assert mail is not None
    session.commit()  # end the read transaction: SQLite allows one writer
    seen.append(
        post_form(client, "/portal/strength", {"candidate": canary, "account": str(mail.id)})
    )
    seen += [client.get(p) for p in ("/portal", "/portal/strength", "/portal/phrase")]
    seen.append(post_form(client, "/portal/sign-out", {}, page="/portal"))
    return seen


def through_the_console(client: TestClient, session: Session, canary: str) -> list[Response]:
    email = "so@huyen.example"
    _, code = users.add_user(
        session, email=email, roles="admin,security", secret=SECRET.encode(), now=NOW, actor="t"
    )
    session.commit()
    seen = [
        post_form(
            client, "/console/setup", {"email": email, "code": "WRONG-CODE", "password": canary}
        ),
        post_form(client, "/console/setup", {"email": email, "code": code, "password": canary}),
        post_form(client, "/console/login", {"email": email, "password": canary + "Sai"}),
        post_form(client, "/console/login", {"email": email, "password": canary}),
    ]
    assert seen[1].status_code == 200, seen[1].text
    assert seen[3].status_code == 303, seen[3].text
    seen.append(client.get("/console"))
    leaky = (
        IMPORT_HEADER
        + ",password\n"
        + f"CB009,Lò Văn Chín,UBND xã Bum Nưa,,,Zalo,zalo,0912000009,{canary}\n"
    )
    seen.append(
        client.post(
            "/console/import",
            data={"csrf_token": csrf(client, "/console/import")},
            files={"file": ("leaky.csv", leaky.encode(), "text/csv")},
        )
    )
    return seen


def through_the_api(
    client: TestClient, session: Session, canary: str, tmp_path: Path
) -> list[Response]:
    headers = {
        "Authorization": f"Bearer {api_token(session, 'so@huyen.example')}",
        "Accept": "application/json",
    }
    leaky = (
        IMPORT_HEADER
        + ",mật khẩu\n"
        + f"CB010,Lò Văn Mười,UBND xã Bum Nưa,,,Zalo,zalo,0912000010,{canary}\n"
    )
    row = ["CB012", "Lò Văn Mười Hai", "UBND xã Bum Nưa", "", "", "Zalo", "zalo", "0912000012"]
    header = [*IMPORT_HEADER.split(","), "Mật khẩu"]
    book = write_xls(tmp_path / "leaky.xls", [[*row, canary]], header=header).read_bytes()
    xls = client.post(
        "/api/v1/import",
        headers=headers,
        files={"file": ("a.xls", book, "application/vnd.ms-excel")},
    )
    assert xls.status_code == 422, xls.text  # read, and refused for its password column
    assert "import.password_column" in xls.text
    return [
        xls,
        client.post(
            "/api/v1/import", headers=headers, files={"file": ("a.csv", leaky.encode(), "text/csv")}
        ),
        client.post(
            "/api/v1/import?dry_run=true",
            headers=headers,
            files={"file": ("a.csv", leaky.encode(), "text/csv")},
        ),
        client.post("/api/v1/acks", headers=headers, json={"code": canary}),
        client.get("/api/v1/audit", headers=headers),
    ]


def test_the_canary_is_found_nowhere(
    client: TestClient,
    session: Session,
    settings: Settings,
    engine: Engine,
    run_cli: Any,
    runner: CliRunner,
    cli_env: dict[str, str],
    caplog: pytest.LogCaptureFixture,
    json_log: io.StringIO,
    canary: str,
    tmp_path: Path,
) -> None:
    caplog.set_level(logging.DEBUG)
    make_official(session)
    responses = through_the_portal(client, settings, session, canary)
    responses += through_the_console(client, session, canary)
    responses += through_the_api(client, session, canary, tmp_path)
    leaky = tmp_path / "leaky.csv"
    leaky.write_text(
        IMPORT_HEADER
        + ",password\n"
        + f"CB011,Lò Văn Mười Một,UBND xã Bum Nưa,,,Zalo,zalo,0912000011,{canary}\n",
        "utf-8",
    )
    printed = [
        runner.invoke(
            app,
            ["check-password", "--for", "CB001", "--account", "Zalo"],
            env=cli_env,
            input=canary + "\n",
        ).output,
        run_cli("import", str(leaky)).output,
        run_cli("import", str(leaky), "--dry-run").output,
    ]
    cert, key = self_signed(tmp_path)
    smtp = SmtpServer(tmp_path / "smtp")
    try:
        smtp.start("--tls-cert", str(cert), "--tls-key", str(key), "--auth", "hyg:other")
        with HostileProvider() as provider:
            env = channel_env(
                smtp_port=smtp.port,
                ca=cert,
                provider=provider.url,
                password=canary + "Smtp",
                sms_key=canary + "SmsKey",
                sms_secret=canary + "SmsSecret",
                zalo_secret=canary + "ZaloSecret",
                zalo_refresh=canary + "ZaloRefresh",
            )
            printed += fail_every_channel(run_cli, env)
    finally:
        smtp.stop()
    # A backup (its file and marker are on disk, searched below), and a restore noticed through a
    # checkpoint file ahead of the log: the held messages listed, then released.
    copy = settings.data_dir / "backups" / ("canary.dump" if engine.dialect.name != "sqlite"
                                            else "canary.db")  # fmt: skip
    head = checkpoints.current(session, now=NOW)
    session.rollback()
    checkpoints.remember(
        settings.checkpoint_path,
        checkpoints.Checkpoint(head.seq + 1000, "cd" * 32, NOW, head.count + 1000),
    )
    printed += [
        run_cli("backup", "-o", str(copy)).output,
        run_cli("run", "deliver").output,
        run_cli("outbox", "held").output,
        run_cli("outbox", "held", "--format", "json").output,
        run_cli("outbox", "release", "--all").output,
    ]
    assert "tin bị giữ lại sau khi khôi phục" in printed[-3], printed[-3]  # the path ran
    printed += [
        run_cli("audit", "export", "--format", "jsonl").output,
        run_cli("audit", "verify").output,
    ]

    seen = {f"{r.request.method} {r.request.url}": r.text + repr(r.headers) for r in responses}
    assert [k for k, v in seen.items() if canary in v] == []
    assert [p for p in printed if canary in p] == []
    assert canary not in caplog.text
    assert canary not in json_log.getvalue()
    assert json_log.getvalue()  # the JSON handler did receive the run's records
    assert canary.encode() not in everything_in_the_database(engine, settings)
    assert canary.encode() not in everything_on_disk(settings.data_dir)
    assert canary not in json.dumps(list(audit.export_rows(session)), default=str)
