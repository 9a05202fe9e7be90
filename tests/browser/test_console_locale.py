"""In Chromium whose language is American English, the Vietnamese console still shows and takes
days as dd/mm/yyyy, and the charts' long unit names stay inside the chart."""

from playwright.sync_api import Browser
from sqlmodel import Session

from tests import factories as f
from tests.browser.conftest import screenshot
from tests.reports.seed import seed
from tests.web.staff import SECURITY_EMAIL, make_user
from tests.web.test_console_auth import PASSWORD

LONG = "Trung tâm Văn hóa, Thể thao và Truyền thanh huyện"

# The left edge of each bar label and of the chart, in screen pixels.
LABEL_EDGES = """() => [...document.querySelectorAll('svg.chart')].flatMap(svg => {
  const left = svg.getBoundingClientRect().left;
  return [...svg.querySelectorAll('g.bar text[text-anchor=end]')].map(
    t => t.getBoundingClientRect().left - left);
})"""


def test_an_american_browser_gets_dd_mm_yyyy_days_and_whole_labels(
    browser: Browser, live_server: str, session: Session
) -> None:
    seed(session)
    f.unit(session, LONG)
    session.commit()
    make_user(session, SECURITY_EMAIL, "security")
    context = browser.new_context(locale="en-US", viewport={"width": 1100, "height": 900})
    page = context.new_page()
    page.goto(f"{live_server}/console/login?lang=vi")
    page.fill("#email", SECURITY_EMAIL)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server}/console")

    page.goto(f"{live_server}/console/compliance")
    shown = page.input_value("#as_of")
    kind = page.get_attribute("#as_of", "type")
    edges = page.evaluate(LABEL_EDGES)
    wrapped = page.locator("g.bar", has_text="Trung tâm Văn hóa, Thể thao").count()
    legend = page.locator("g.legend").first.text_content() or ""
    screenshot(page, "compliance-en-us-browser")
    page.fill("#as_of", "01/02/2026")
    page.click("form[action='/console/compliance/report'] button[type=submit]")
    report = page.inner_text("body")
    page.goto(f"{live_server}/console/compliance/report?as_of=13/13/2026")
    error = page.inner_text(".day-error")
    context.close()

    assert (kind, shown) == ("text", "02/03/2026")
    assert "Số liệu đến hết ngày 01/02/2026" in report  # 1 February, as a Vietnamese reads it
    assert "«13/13/2026» không phải là một ngày" in error
    assert len(edges) == 8  # four units in each of the two bar charts
    assert min(edges) >= 0  # no label starts left of its chart (nothing clipped)
    assert wrapped == 2
    assert "Dưới 70\u00a0%" in legend  # a no-break space before the sign
