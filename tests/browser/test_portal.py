"""An official signs in with a code from the outbox, acknowledges a reminder and checks a new
password, in Chromium, on a desktop and on a phone-sized screen, without any JavaScript of ours."""

from pathlib import Path

from playwright.sync_api import Browser, Page, ViewportSize
from sqlmodel import Session, select

from hygiene.bootstrap import Deps
from hygiene.inventory.models import Account
from hygiene.settings import Settings
from tests.acks.builders import sent_message
from tests.browser.conftest import screenshot
from tests.web.portal_helpers import deliver_with, make_official, read_sign_in_code

PHONE: ViewportSize = {"width": 390, "height": 844}


def png_width(path: Path) -> int:
    return int.from_bytes(path.read_bytes()[16:20], "big")  # the IHDR chunk's width


def test_an_official_signs_in_acknowledges_and_checks_a_password(
    page: Page,
    browser: Browser,
    live_server: str,
    session: Session,
    settings: Settings,
    deps: Deps,
) -> None:
    oid = make_official(session)
    ids = ",".join(str(a.id) for a in session.exec(select(Account)).all())
    _, code = sent_message(session, oid, payload=ids)
    session.commit()

    page.goto(f"{live_server}/portal/sign-in")
    page.fill("#identifier", "CB001")
    page.click("button[type=submit]")
    page.wait_for_selector("#code")  # the code is queued (urgent) before this page is answered
    deliver_with(deps)  # what the woken delivery loop of `hygiene serve` does
    page.fill("#code", read_sign_in_code(settings))
    page.click("form[action='/portal/sign-in/code'] button[type=submit]")
    page.wait_for_url(f"{live_server}/portal")
    home = screenshot(page, "portal-home")
    accounts_text = page.inner_text("main")

    page.goto(f"{live_server}/portal/code")
    page.fill("#code", code)
    page.click("form[action='/portal/code'] button[type=submit]")
    acknowledged = page.inner_text("main")
    screenshot(page, "portal-ack")

    page.goto(f"{live_server}/portal/strength")
    page.fill("#candidate", "mây trắng bay qua đồi chè Tam Đường")
    page.select_option("#account", label="Email công vụ (lo***@…)")
    page.click("form[action='/portal/strength'] button[type=submit]")
    checked = page.inner_text("main")
    screenshot(page, "portal-strength")

    phone = browser.new_context(
        locale="vi-VN",
        viewport=PHONE,
        java_script_enabled=False,
        storage_state=page.context.storage_state(),  # the signed-in cookies
    )
    tab = phone.new_page()
    widths = []
    for path, name in [
        ("/portal", "phone-home"),
        ("/portal/strength", "phone-strength"),
        ("/portal/report", "phone-report"),
    ]:
        tab.goto(f"{live_server}{path}")
        widths.append(png_width(screenshot(tab, f"portal-{name}")))
    phone.close()

    assert "Lò Thị Hoa" in accounts_text
    assert "Email công vụ" in accounts_text
    assert "Đã ghi nhận: đã đổi mật khẩu (02/03/2026)" in acknowledged
    assert "Kết quả:" in checked
    assert "Đã lưu điểm" in checked
    assert home.stat().st_size > 5_000
    assert widths == [PHONE["width"]] * 3  # nothing wider than the phone's screen
