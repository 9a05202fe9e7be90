from playwright.sync_api import Page
from sqlmodel import Session

from tests.browser.conftest import screenshot
from tests.web.test_console_auth import PASSWORD, make_admin


def test_an_admin_signs_in_through_a_real_browser(
    page: Page, live_server: str, session: Session
) -> None:
    make_admin(session)

    page.goto(f"{live_server}/console")
    page.fill("#email", "it@huyen.example")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server}/console")
    shot = screenshot(page, "console-signed-in")

    assert "it@huyen.example" in page.inner_text("main")
    assert page.evaluate("document.documentElement.lang") == "vi"
    assert shot.stat().st_size > 5_000
