"""Issue 14, done when: an incident reported in the portal reaches the security officer (the
notice in the memory channel) and is seen and moved through its statuses in the console, in
Chromium. It happens at night (23:30 in Hà Nội, outside the 07:30-21:00 send window): the
official signs in through the portal's form with a code that comes by the urgent lane, the
officer's urgent notice goes out at once, and the official's receipt, a normal-lane message
planned at the same moment, waits for the morning. The officer signs in through the console's
form."""

import asyncio
import threading
from collections.abc import Callable
from datetime import UTC, datetime

from playwright.sync_api import Browser, Page
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from hygiene.audit.models import AuditEvent
from hygiene.bootstrap import build_deps
from hygiene.channels.base import OutgoingMessage
from hygiene.channels.memory import MemoryChannel
from hygiene.clock import FixedClock
from hygiene.outbox.delivery import Deliverer
from hygiene.outbox.models import Message
from hygiene.restore import notice as restore
from hygiene.settings import Settings
from tests.browser.conftest import screenshot
from tests.conftest import SECRET
from tests.web.portal_helpers import CODE, make_official
from tests.web.staff import SECURITY_EMAIL, make_user
from tests.web.test_console_auth import PASSWORD

DESCRIPTION = "Người lạ gọi Zalo, dọa tung ảnh ghép nếu không chuyển 20 triệu"
NIGHT = datetime(2026, 3, 2, 16, 30, tzinfo=UTC)  # Monday 23:30 in Hà Nội
MORNING = datetime(2026, 3, 3, 1, 0, tzinfo=UTC)  # Tuesday 08:00 in Hà Nội
OFFICIAL_EMAIL = "cb001@xa.example"


Deliver = Callable[[], list[OutgoingMessage]]


def _deliver(
    engine: Engine, settings: Settings, clock: FixedClock, audit_key: bytes
) -> list[OutgoingMessage]:
    """One delivery run into a memory channel, in a thread: Playwright's sync API holds an
    asyncio loop in this one. What was sent by email in that run."""
    email = MemoryChannel("email")
    deps = build_deps(settings, clock=clock, engine=engine)
    deliverer = Deliverer(
        engine=engine,
        settings=settings,
        secret=SECRET.encode(),
        audit_key=audit_key,
        channels={"email": email, "sms": MemoryChannel("sms")},
        clock=clock,
        worker="browser-test",
        renderer=deps.renderer,
        readers=deps.readers,
        hold_restored=restore.notice,
    )
    runner = threading.Thread(target=lambda: asyncio.run(deliverer.run_once()))
    runner.start()
    runner.join(timeout=60)
    return email.sent


def _sign_in_to_the_portal(page: Page, live_server: str, deliver: Deliver) -> str:
    """The real sign-in: ask for a code, deliver the urgent lane, type the code it carried."""
    page.goto(f"{live_server}/portal/sign-in")
    page.fill("#identifier", "CB001")
    page.click("button[type=submit]")
    page.wait_for_selector("#code")  # the code is queued (urgent) before this page is answered
    sent = [m for m in deliver() if m.to == OFFICIAL_EMAIL]
    found = CODE.search(sent[-1].text) if sent else None
    assert found, [m.subject for m in sent]
    page.fill("#code", found.group(0))
    page.click("form[action='/portal/sign-in/code'] button[type=submit]")
    page.wait_for_url(f"{live_server}/portal")
    return found.group(0)


def _report_in_the_portal(page: Page, live_server: str) -> str:
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


def _handle_in_the_console(browser: Browser, live_server: str) -> dict[str, str]:
    """The officer signs in, opens the report from the dashboard card and closes it."""
    officer = browser.new_context(locale="vi-VN", viewport={"width": 1100, "height": 900})
    console = officer.new_page()
    console.goto(f"{live_server}/console/login")
    console.fill("#email", SECURITY_EMAIL)
    console.fill("#password", PASSWORD)
    console.click("button[type=submit]")
    console.wait_for_url(f"{live_server}/console")
    seen = {"card": console.inner_text(".incidents-card")}
    console.click(".incidents-card a")
    seen["listed"] = console.inner_text("main table")
    console.click("main table a:has-text('BC-2026-00001')")
    seen["detail"] = console.inner_text("main")
    seen["before"] = console.inner_text("#incident-status")
    seen["forwarded"] = _move(console, "Đánh dấu đã chuyển công an")
    console.fill("#note", "Đã chuyển Công an huyện, cán bộ trực ban tiếp nhận")
    console.click("button:has-text('Thêm ghi chú')")
    console.wait_for_load_state()
    seen["closed"] = _move(console, "Đóng báo cáo")
    seen["notes"] = console.inner_text(".notes")
    screenshot(console, "incident-closed")
    officer.close()
    return seen


def _receipt_status(session: Session) -> str:
    """The receipt's status, read in a transaction of its own (on SQLite an open one would hold
    the write lock while the served app works)."""
    session.expire_all()
    status = session.exec(select(Message.status).where(Message.kind == "incident_receipt")).one()
    session.rollback()
    return status


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
    clock.set(NIGHT)
    make_official(session)
    make_user(session, SECURITY_EMAIL, "security")

    def deliver() -> list[OutgoingMessage]:
        return _deliver(engine, settings, clock, audit_key)

    _sign_in_to_the_portal(page, live_server, deliver)
    receipt = _report_in_the_portal(page, live_server)
    at_night = deliver()
    notice = next(m for m in at_night if m.to == SECURITY_EMAIL)
    held_at_night = _receipt_status(session)
    seen = _handle_in_the_console(browser, live_server)
    clock.set(MORNING)
    to_official = next(m for m in deliver() if m.to == OFFICIAL_EMAIL)
    actions = session.exec(
        select(AuditEvent.action)
        .where(col(AuditEvent.action).startswith("incident."))
        .order_by(col(AuditEvent.seq))
    ).all()

    assert "BC-2026-00001" in receipt
    assert notice.subject == "Khẩn: báo cáo bị đe dọa BC-2026-00001 từ Lò Thị Hoa"
    assert "BC-2026-00001" in notice.text
    assert [m.to for m in at_night] == [SECURITY_EMAIL]  # the receipt waits for the window
    assert held_at_night == "pending"
    assert "BC-2026-00001" in to_official.text
    assert DESCRIPTION not in notice.text + notice.subject + to_official.text  # never in a message
    assert seen["card"].endswith(": 1") or ": 1\n" in seen["card"]
    assert all(text in seen["listed"] for text in ("BC-2026-00001", "Lò Thị Hoa", "Zalo"))
    assert all(text in seen["detail"] for text in (DESCRIPTION, "01/03/2026"))
    assert (seen["before"], seen["forwarded"], seen["closed"]) == (
        "Mới",
        "Đã chuyển công an",
        "Đã đóng",
    )
    assert "Đã chuyển Công an huyện" in seen["notes"]
    assert actions == [
        "incident.reported",
        "incident.status_changed",
        "incident.note_added",
        "incident.status_changed",
    ]
