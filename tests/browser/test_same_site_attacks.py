"""The takeover attacks of issue 13 in Debian's Chromium: an attacker's page on another loopback
port (same site, other origin) while an admin is signed in to the console.

(a) The page plants its own CSRF cookie (one the server minted for the attacker, with its form
    token) and auto-submits the console's edit form to change an official's email.
(b) The page writes through the API with the admin's cookie, with requests a browser sends
    without a CORS preflight: `fetch('/api/v1/import')` with a spreadsheet (multipart), and
    `fetch('/api/v1/messages/ID/retry')` (no body). JSON routes need `Content-Type:
    application/json`, which a cross-origin page cannot send without a preflight.

Each test asserts the database is unchanged, and that the attack really reached the server
(the planted cookie is in the browser, the requests were answered).
"""

import html
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page
from sqlalchemy import func
from sqlmodel import Session, col, select

from hygiene.audit.models import AuditEvent
from hygiene.db import row_id
from hygiene.inventory.models import Official
from hygiene.outbox.models import Message
from hygiene.web.security import CSRF_COOKIE
from tests import factories as f
from tests.browser.conftest import screenshot
from tests.conftest import NOW
from tests.helpers import HEADER, ROWS, write_csv
from tests.reliability.security_helpers import CSRF
from tests.web.staff import ADMIN_EMAIL, make_user
from tests.web.test_console_auth import PASSWORD

ATTACKER_EMAIL = "ke-gian@evil.example"
EDIT = "/console/inventory/officials/CB001"


class AttackerSite:
    """A second origin, http://127.0.0.1:<another port>/, serving the pages a test gives it."""

    def __init__(self) -> None:
        self.pages: dict[str, tuple[str, list[tuple[str, str]]]] = {}
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                body, headers = site.pages.get(self.path, ("not found", []))
                self.send_response(200 if self.path in site.pages else 404)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                for name, value in headers:
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(body.encode("utf-8"))

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.origin = f"http://127.0.0.1:{self.server.server_address[1]}"

    def serve(self, path: str, body: str, headers: list[tuple[str, str]] | None = None) -> str:
        self.pages[path] = (body, headers or [])
        return self.origin + path


@pytest.fixture
def attacker(live_server: str) -> Iterator[AttackerSite]:
    site = AttackerSite()
    assert site.origin != live_server  # same host (same site), another port (another origin)
    thread = threading.Thread(target=site.server.serve_forever, daemon=True)
    thread.start()
    yield site
    site.server.shutdown()
    site.server.server_close()


@pytest.fixture
def official(session: Session) -> Official:
    row = f.official(session, f.ident(f.unit(session)), "CB001", email="huong@xa.example")
    session.commit()
    return row


def sign_in(page: Page, live_server: str) -> None:
    page.goto(f"{live_server}/console/login")
    page.fill("#email", ADMIN_EMAIL)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server}/console", timeout=90_000)  # argon2 on a loaded box


State = tuple[list[tuple[Any, ...]], list[tuple[Any, ...]], int]


def database_state(session: Session) -> State:
    """Every official's identity and contact details, every message's status, and the number
    of audit events."""
    session.expire_all()
    officials = session.execute(
        select(Official.employee_id, Official.full_name, Official.email, Official.active).order_by(
            Official.employee_id
        )
    ).all()
    messages = session.execute(select(Message.id, Message.status).order_by(col(Message.id))).all()
    events = session.execute(select(func.count()).select_from(AuditEvent)).scalar_one()
    session.rollback()  # SQLite: the test's session must not hold the write lock the server needs
    return [tuple(row) for row in officials], [tuple(row) for row in messages], int(events)


def failed_message(session: Session, official: Official) -> int:
    row = Message(
        idempotency_key="rotation:1:x", campaign="rotation", kind="rotation_overdue",
        official_id=official.id, planned_on=NOW.date(), planned_at=NOW, status="failed",
        last_error="550 5.1.1 mailbox unavailable", next_attempt_at=NOW, updated_at=NOW,
    )  # fmt: skip
    session.add(row)
    session.commit()
    return row_id(row.id)


def attackers_cookie_and_token(live_server: str) -> tuple[str, str]:
    """What the attacker gets from the server as an anonymous visitor: a minted CSRF cookie
    and the form token that goes with it."""
    with httpx.Client(base_url=live_server) as client:
        client.get("/console/login")
        page = client.get("/console/login")
        match = CSRF.search(page.text)
        assert match
        return client.cookies[CSRF_COOKIE], match.group(1)


def auto_submitting_form(action: str, fields: dict[str, str]) -> str:
    inputs = "".join(
        f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">'
        for k, v in fields.items()
    )
    return (
        "<!doctype html><html><body><h1>Khuyến mãi</h1>"
        f'<form id="f" method="post" action="{html.escape(action)}">{inputs}</form>'
        "<script>document.getElementById('f').submit()</script></body></html>"
    )


def test_a_planted_csrf_cookie_cannot_make_a_signed_in_admin_change_an_email(
    page: Page, live_server: str, attacker: AttackerSite, session: Session, official: Official
) -> None:
    make_user(session, ADMIN_EMAIL, "admin")
    planted, token = attackers_cookie_and_token(live_server)
    fields = {"csrf_token": token, "full_name": "Nguyễn Thị Hương", "unit": "Phòng Nội vụ",
              "email": ATTACKER_EMAIL, "preferred_channels": "email"}  # fmt: skip
    lure = attacker.serve(
        "/khuyen-mai",
        auto_submitting_form(live_server + EDIT, fields),
        [("Set-Cookie", f"{CSRF_COOKIE}={planted}; Path=/; HttpOnly; SameSite=Lax")],
    )
    sign_in(page, live_server)
    before = database_state(session)
    answers: list[int] = []
    page.on("response", lambda r: answers.append(r.status) if r.url.endswith(EDIT) else None)

    page.goto(lure)
    page.wait_for_url(f"{live_server}{EDIT}**")  # the form was submitted to the console
    screenshot(page, "attack-planted-csrf-cookie")
    cookies = {c["name"]: c["value"] for c in page.context.cookies(live_server)}

    assert cookies[CSRF_COOKIE] == planted  # the cookie really was planted for the console
    assert answers == [403]
    assert database_state(session) == before
    assert before[0][0][2] == "huong@xa.example"


ATTACK_SCRIPT = """
async ([origin, csv, message]) => {
  const form = new FormData();
  form.append('file', new Blob([csv], {type: 'text/csv'}), 'danh-sach.csv');
  await fetch(origin + '/api/v1/import', {method: 'POST', body: form,
                                          credentials: 'include', mode: 'no-cors'});
  await fetch(origin + '/api/v1/messages/' + message + '/retry',
              {method: 'POST', credentials: 'include', mode: 'no-cors'});
  return 'sent';
}
"""


def test_a_same_site_page_cannot_write_through_the_api_with_the_admin_cookie(
    page: Page,
    live_server: str,
    attacker: AttackerSite,
    session: Session,
    official: Official,
    tmp_path: Path,
) -> None:
    make_user(session, ADMIN_EMAIL, "admin")
    message = failed_message(session, official)
    rows = [list(r) for r in ROWS]
    for row in rows:
        if row[0] == "CB001":
            row[HEADER.index("email")] = ATTACKER_EMAIL
    csv = write_csv(tmp_path / "danh-sach.csv", rows).read_text("utf-8")
    lure = attacker.serve("/tin-tuc", "<!doctype html><html><body><h1>Tin tức</h1></body></html>")
    sign_in(page, live_server)
    before = database_state(session)
    answers: dict[str, int] = {}
    page.on(
        "response",
        lambda r: answers.__setitem__(r.url, r.status) if "/api/v1/" in r.url else None,
    )

    page.goto(lure)
    sent = page.evaluate(ATTACK_SCRIPT, [live_server, csv, message])
    page.wait_for_timeout(300)  # let the response events arrive

    assert sent == "sent"
    retry = f"{live_server}/api/v1/messages/{message}/retry"
    assert answers == {f"{live_server}/api/v1/import": 403, retry: 403}
    assert database_state(session) == before
    assert before[1] == [(message, "failed")]
