"""The consoles in a real browser: an admin's spreadsheet import with a row error, and a
security officer's advisory and compliance dashboard (charts are server-side SVG)."""

from pathlib import Path

from playwright.sync_api import Page
from sqlmodel import Session

from tests.browser.conftest import screenshot
from tests.helpers import HEADER, ROWS, write_csv
from tests.reports.seed import seed
from tests.web.staff import ADMIN_EMAIL, SECURITY_EMAIL, make_user
from tests.web.test_console_auth import PASSWORD


def _sign_in(page: Page, live_server: str, email: str) -> None:
    page.goto(f"{live_server}/console/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    # Generous: argon2 verification is slow on a loaded CI box.
    page.wait_for_url(f"{live_server}/console", timeout=90_000)


def test_an_admin_fixes_a_bad_row_and_imports(
    page: Page, live_server: str, session: Session, tmp_path: Path
) -> None:
    make_user(session, ADMIN_EMAIL, "admin")
    bad_rows = [list(r) for r in ROWS]
    bad_rows[1][HEADER.index("phone")] = "0912 34"
    bad = write_csv(tmp_path / "danh-sach.csv", bad_rows)
    good = write_csv(tmp_path / "danh-sach-da-sua.csv")
    _sign_in(page, live_server, ADMIN_EMAIL)

    page.click("nav.console-nav >> text=Nhập bảng tính")
    page.set_input_files("#file", str(bad))
    page.click("form[enctype] button[type=submit]")
    problems = page.inner_text("table.problems")
    screenshot(page, "console-import-row-error")
    page.set_input_files("#file", str(good))
    page.click("form[enctype] button[type=submit]")
    done = page.inner_text("p.flash.ok")
    screenshot(page, "console-import-done")
    page.goto(f"{live_server}/console/inventory")
    listed = page.inner_text("table")

    assert "3\tphone\t0912 34\tsố điện thoại không hợp lệ" in problems
    assert "Đã nhập 3 dòng" in done
    assert "CB002" in listed


def test_a_security_officer_publishes_and_reviews_compliance(
    page: Page, live_server: str, session: Session
) -> None:
    seed(session)
    make_user(session, SECURITY_EMAIL, "security")
    _sign_in(page, live_server, SECURITY_EMAIL)

    page.click("nav.console-nav >> text=Cảnh báo")
    page.fill("#title", "Cảnh giác với ảnh, video ghép mặt bằng AI để tống tiền")
    page.fill(
        "#body",
        "Nếu nhận tin nhắn đe dọa kèm ảnh ghép: không xóa, không chuyển tiếp, không trả tiền, "
        "không làm theo hướng dẫn; báo ngay cho công an và cán bộ phụ trách an ninh thông tin.",
    )
    page.select_option("#severity", "high")
    page.fill("#reference", "CV 123/UBND")
    page.check("input[name=audience][value=units]")
    page.check("input[name=units][value='Phòng Nội vụ']")
    page.check("#requires_ack")
    screenshot(page, "console-advisory-form")
    page.click("form.card button[type=submit]")
    published = page.inner_text("main")
    page.click("nav.console-nav >> text=Tuân thủ")
    page.wait_for_selector("svg.chart")
    screenshot(page, "console-compliance-dashboard")
    charts = page.locator("svg.chart").count()
    page.click("table.numbers >> text=Phòng Nội vụ")
    drill = page.inner_text("main")
    page.goto(f"{live_server}/console/compliance/report")
    screenshot(page, "console-monthly-report")

    assert "Đã đăng cảnh báo." in published
    assert "Cảnh giác với ảnh, video ghép mặt" in published
    assert charts == 3
    assert "Nguyễn Thị Hương" in drill


def test_the_api_docs_render_offline_under_the_csp(
    page: Page, live_server: str, session: Session
) -> None:
    make_user(session, ADMIN_EMAIL, "admin")
    blocked: list[str] = []
    page.on("console", lambda m: blocked.append(m.text) if "Content Security" in m.text else None)
    page.on("request", lambda r: None if r.url.startswith(live_server) else blocked.append(r.url))
    _sign_in(page, live_server, ADMIN_EMAIL)

    page.click("nav.console-nav >> text=API")
    page.wait_for_selector(".swagger-ui .info .title")
    page.wait_for_selector(".opblock-summary-path[data-path='/api/v1/reports/compliance']")
    screenshot(page, "console-api-docs")

    assert "hygiene" in page.inner_text(".swagger-ui .info .title")
    assert blocked == []
