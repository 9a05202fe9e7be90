"""The portal sign-in code on the real `hygiene serve`: the request only enqueues an urgent
outbox message and wakes the delivery loop, which hands it to a real SMTP server (aiosmtpd on
loopback) within about a second, although the scheduled delivery tick is five minutes away.
The message is an outbox row with its delivery attempt, its subject has no code, and the code
appears in no log line."""

import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from hygiene.outbox import service as outbox
from hygiene.outbox.models import DeliveryAttempt, Message
from tests.channels.conftest import SmtpServer
from tests.serve_helpers import serve_env
from tests.serve_helpers import serving as serve
from tests.web.portal_helpers import CODE, make_official

TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
# About a second on an idle machine. The bound only has to be far below the 300 s tick to prove
# the wake-up; 2 s could fail on a loaded machine (the first SMTP connection, a busy scheduler).
WAKE_BOUND = 20.0


@contextmanager
def serving(tmp_path: Path, db_url: str, smtp_port: int) -> Iterator[tuple[str, Path]]:
    env = serve_env(
        db_url,
        tmp_path,
        HYGIENE_DELIVERY__INTERVAL_SECONDS="300",  # only the wake-up can explain a quick send
        HYGIENE_CHANNELS__SMTP__HOST="127.0.0.1",
        HYGIENE_CHANNELS__SMTP__PORT=str(smtp_port),
        HYGIENE_CHANNELS__SMTP__SECURITY="none",
    )
    with serve(tmp_path, env) as served:
        yield served.base, served.log


def _token(client: httpx.Client) -> str:
    match = TOKEN.search(client.get("/portal/sign-in").text)
    assert match
    return match.group(1)


def _wait_for_mail(server: SmtpServer, within: float) -> float:
    started = time.monotonic()
    while not server.messages():
        assert time.monotonic() - started < within, "no sign-in code reached the SMTP server"
        time.sleep(0.05)
    return time.monotonic() - started


@pytest.fixture
def smtp_server(tmp_path: Path) -> Iterator[SmtpServer]:
    server = SmtpServer(tmp_path / "smtp")
    yield server
    server.stop()


def test_the_code_is_sent_at_once_through_the_outbox_and_signs_the_official_in(
    tmp_path: Path, db_url: str, engine: Engine, session: Session, smtp_server: SmtpServer
) -> None:
    make_official(session)
    smtp_server.start()
    with (
        serving(tmp_path, db_url, smtp_server.port) as (base, log),
        httpx.Client(base_url=base, timeout=10) as client,
    ):
        answer = client.post(
            "/portal/sign-in", data={"identifier": "CB001", "csrf_token": _token(client)}
        )
        _wait_for_mail(smtp_server, within=WAKE_BOUND)  # the tick is 300 s away: the wake-up
        [mail] = smtp_server.messages()
        body = mail.get_body(("plain",))
        assert body is not None
        found = CODE.search(str(body.get_content()))
        assert found
        code = found.group(0)
        signed_in = client.post(
            "/portal/sign-in/code",
            data={"identifier": "CB001", "code": code, "csrf_token": _token(client)},
            follow_redirects=False,
        )
        logged = log.read_text("utf-8")

    assert answer.status_code == 200
    assert signed_in.status_code == 303
    assert code not in str(mail["Subject"])
    assert code not in logged
    assert code.replace("-", "") not in logged
    with Session(engine) as check:
        message = check.exec(select(Message)).one()
        attempts = check.exec(
            select(DeliveryAttempt).where(col(DeliveryAttempt.message_id) == message.id)
        ).all()
    assert (message.campaign, message.kind, message.status) == ("portal", "portal_sign_in", "sent")
    assert message.priority == outbox.URGENT
    assert [(a.channel, a.outcome) for a in attempts] == [("smtp", "sent")]
    assert code not in (message.body or "") + (message.subject or "")
