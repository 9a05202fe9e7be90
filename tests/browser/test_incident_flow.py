"""Issue 14, done when: an incident reported in the portal reaches the security officer (the
notice in the memory channel) and is seen and moved through its statuses in the console, in
Chromium. The official's portal session is a cookie (sign-in has tests of its own); the officer
signs in through the console's form."""

import asyncio
import threading

from playwright.sync_api import Browser, Page
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from hygiene.audit.models import AuditEvent
from hygiene.channels.base import OutgoingMessage
from hygiene.channels.memory import MemoryChannel
from hygiene.clock import FixedClock
from hygiene.outbox.delivery import Deliverer
from hygiene.settings import Settings
from hygiene.users import sessions
from hygiene.web.auth import SESSION_COOKIE
from tests.browser.conftest import screenshot
from tests.conftest import NOW, SECRET
from tests.web.portal_helpers import make_official
from tests.web.staff import SECURITY_EMAIL, make_user
from tests.web.test_console_auth import PASSWORD

DESCRIPTION = "Người lạ gọi Zalo, dọa tung ảnh ghép nếu không chuyển 20 triệu"


def _deliver(
    engine: Engine, settings: Settings, clock: FixedClock, audit_key: bytes
) -> list[OutgoingMessage]:
    """One delivery run into a memory channel, in a thread: Playwright's sync API holds an
    asyncio loop in this one."""
    email = MemoryChannel("email")
    deliverer = Deliverer(
        engine=engine,
        settings=settings,
        secret=SECRET.encode(),
        audit_key=audit_key,
        channels={"email": email, "sms": MemoryChannel("sms")},
        clock=clock,
        worker="browser-test",
    )
    runner = threading.Thread(target=lambda: asyncio.run(deliverer.run_once()))
    runner.start()
    runner.join(timeout=60)
    return email.sent


def _report_in_the_portal(page: Page, live_server: str, session: Session) -> str:
    official = make_official(session)
    token = sessions.start(
        session, kind="official", secret=SECRET.encode(), now=NOW, official_id=official
    )
    session.commit()
    page.context.add_cookies([{"name": SESSION_COOKIE, "value": token, "url": live_server}])
    page.goto(f"{live_server}/portal/report")
    page.fill("#description", DESCRIPTION)
    page.fill("#occurred_on", "01/03/2026")
    page.check("input[name=channel][value=zalo]")
    page.click("form[action='/portal/report'] button[type=submit]")
    receipt = page.inner_text(".flash.ok")
    screenshot(page, "incident-reported")
    return receipt


def _move(page: Page, button: str) -> str:
    page.click(f"button:has-text('{button}')")
    page.wait_for_load_state()
    return page.inner_text("#incident-status")


def test_a_reported_incident_reaches_the_officer_and_is_handled_in_the_console(
    page: Page,
    browser: Browser,
    live_server: str,
    session: Session,
    engine: Engine,
    settings: Settings,
    clock: FixedClock,
    audit_key: bytes,
) -> None:
    make_user(session, SECURITY_EMAIL, "security")
    receipt = _report_in_the_portal(page, live_server, session)

    sent = _deliver(engine, settings, clock, audit_key)
    notice = next(m for m in sent if m.to == SECURITY_EMAIL)
    to_official = next(m for m in sent if m.to == "cb001@xa.example")

    officer = browser.new_context(locale="vi-VN", viewport={"width": 1100, "height": 900})
    console = officer.new_page()
    console.goto(f"{live_server}/console/login")
    console.fill("#email", SECURITY_EMAIL)
    console.fill("#password", PASSWORD)
    console.click("button[type=submit]")
    console.wait_for_url(f"{live_server}/console")
    card = console.inner_text(".incidents-card")
    console.click(".incidents-card a")
    listed = console.inner_text("main table")
    console.click("main table a:has-text('BC-2026-00001')")
    detail = console.inner_text("main")
    before = console.inner_text("#incident-status")
    forwarded = _move(console, "Đánh dấu đã chuyển công an")
    console.fill("#note", "Đã chuyển Công an huyện, cán bộ trực ban tiếp nhận")
    console.click("button:has-text('Thêm ghi chú')")
    console.wait_for_load_state()
    closed = _move(console, "Đóng báo cáo")
    notes = console.inner_text(".notes")
    screenshot(console, "incident-closed")
    officer.close()
    actions = session.exec(
        select(AuditEvent.action)
        .where(col(AuditEvent.action).startswith("incident."))
        .order_by(col(AuditEvent.seq))
    ).all()

    assert "BC-2026-00001" in receipt
    assert notice.subject == "Khẩn: báo cáo bị đe dọa BC-2026-00001 từ Lò Thị Hoa"
    assert "BC-2026-00001" in notice.text
    assert "BC-2026-00001" in to_official.text
    assert DESCRIPTION not in notice.text + notice.subject + to_official.text  # never in a message
    assert card.endswith(": 1") or ": 1\n" in card
    assert all(text in listed for text in ("BC-2026-00001", "Lò Thị Hoa", "Zalo"))
    assert all(text in detail for text in (DESCRIPTION, "01/03/2026"))
    assert (before, forwarded, closed) == ("Mới", "Đã chuyển công an", "Đã đóng")
    assert "Đã chuyển Công an huyện" in notes
    assert actions == [
        "incident.reported",
        "incident.status_changed",
        "incident.note_added",
        "incident.status_changed",
    ]
