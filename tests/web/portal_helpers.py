"""Portal test helpers: an official with accounts, signing in through the file channel."""

import asyncio
import re
from concurrent.futures import ThreadPoolExecutor
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import cast

import httpx2
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session

from hygiene import jobs
from hygiene.bootstrap import Deps
from hygiene.channels.base import close_all
from hygiene.outbox.delivery import DeliveryReport
from hygiene.settings import Settings
from tests import factories as f
from tests.web.test_console_auth import csrf

CODE = re.compile(r"\b[0-9A-Z]{4}-[0-9A-Z]{4}\b")


def make_official(session: Session, employee_id: str = "CB001") -> int:
    unit = f.unit(session, "UBND xã Bum Nưa")
    official = f.official(
        session, f.ident(unit), employee_id, name="Lò Thị Hoa", phone="+84912345678"
    )
    oid = f.ident(official)
    f.account(session, oid, login="lo.hoa@xa.example")
    f.account(session, oid, kind="messaging", system="Zalo", login="0912345678", browser_saved=True)
    session.commit()
    return oid


def outbox_files(settings: Settings) -> list[Path]:
    return sorted((settings.data_dir / "outbox").glob("portal-sign-in*"))


def read_sign_in_code(settings: Settings) -> str:
    """The code in the newest sign-in message the file channel wrote."""
    newest = max(outbox_files(settings), key=lambda p: p.stat().st_mtime_ns)
    if newest.suffix == ".eml":
        parsed = message_from_bytes(newest.read_bytes(), policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        body = parsed.get_body(("plain",))
        assert body is not None
        text = str(body.get_content())
    else:
        text = newest.read_text("utf-8")
    match = CODE.search(text)
    assert match, text
    return match.group(0)


def deliver(client: TestClient) -> DeliveryReport:
    """What `hygiene serve`'s delivery loop does once woken: send what is due, through the
    channels of the Deps the app was built with (a test has no loop listening for wake-ups)."""
    return deliver_with(cast(FastAPI, client.app).state.deps)


def deliver_with(deps: Deps) -> DeliveryReport:
    """`deliver` for an app served elsewhere (the browser tests' uvicorn) with these Deps."""

    async def drain() -> DeliveryReport:
        channels = deps.open_channels()
        try:
            return await jobs.build_deliverer(deps, channels, "test-worker").drain()
        finally:
            await close_all(channels)

    # A thread of its own: the caller may already run an event loop (Playwright's sync API).
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, drain()).result()


def ask_for_code(client: TestClient, identifier: str) -> httpx2.Response:
    """Ask for a code, then deliver it (the sign-in request only enqueues it)."""
    token = csrf(client, "/portal/sign-in")
    answer = client.post("/portal/sign-in", data={"identifier": identifier, "csrf_token": token})
    deliver(client)
    return answer


def sign_in(client: TestClient, settings: Settings, identifier: str = "CB001") -> httpx2.Response:
    ask_for_code(client, identifier)
    token = csrf(client, "/portal/sign-in")
    return client.post(
        "/portal/sign-in/code",
        data={"identifier": identifier, "code": read_sign_in_code(settings), "csrf_token": token},
        follow_redirects=False,
    )
