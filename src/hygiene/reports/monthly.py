"""The monthly compliance report in the form of an administrative document (Decree 30/2020):
the agency and the national heading side by side, the place-and-date line, the title, the
figures, the signature block and the recipients. One HTML document, shown in the console and
rendered to PDF on the server (reports.pdf); the preparer is named by display name.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from importlib import resources
from typing import Any

from babel.dates import format_date as babel_date
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup
from sqlmodel import Session

from hygiene import i18n
from hygiene.advisories import service as advisories
from hygiene.advisories.models import Advisory
from hygiene.audit import checkpoints
from hygiene.audit import service as audit
from hygiene.campaigns.stages import Clockless
from hygiene.clock import as_utc
from hygiene.incidents import service as incidents
from hygiene.reports import compliance, profiles
from hygiene.settings import Agency, Settings

NATIONAL = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"


@dataclass(frozen=True)
class Preparer:
    name: str  # a display name, never a login
    title: str = ""


def place_and_date(agency: Agency, day: date, locale: str) -> str:
    """ "Mường Tè, ngày 30 tháng 11 năm 2026" (vi) or "Mường Tè, 30 November 2026" (en)."""
    place = f"{agency.place}, " if agency.place else ""
    if i18n.normalise_locale(locale) == "vi":
        return f"{place}ngày {day.day:02d} tháng {day.month:02d} năm {day.year}"
    return place + babel_date(day, format="long", locale="en")


def incidents_this_month(session: Session, *, settings: Settings, today: date) -> dict[int, int]:
    """Incident reports per unit id from the 1st of `today`'s month to the end of `today`."""
    since = datetime.combine(today.replace(day=1), time(0, 0), settings.zone)
    until = datetime.combine(today + timedelta(days=1), time(0, 0), settings.zone)
    return incidents.count_by_unit(
        session, since=since.astimezone(UTC), until=until.astimezone(UTC)
    )


def advisories_this_month(session: Session, *, settings: Settings, today: date) -> list[Advisory]:
    """Advisories published from the 1st of `today`'s month to the end of `today` (local days)."""
    month_start = today.replace(day=1)
    return [
        a
        for a in advisories.list_advisories(session)
        if month_start <= as_utc(a.published_at).astimezone(settings.zone).date() <= today
    ]


def context(
    session: Session,
    *,
    settings: Settings,
    audit_key: bytes,
    at: Clockless,
    preparer: Preparer,
    locale: str,
    charts: dict[str, Markup] | None = None,
    checked_at: datetime | None = None,
) -> dict[str, Any]:
    """The document's values; with `checked_at`, the log's checkpoint at that time is printed
    (a copy of the log's head on paper, checked with `audit verify --checkpoints`)."""
    report = compliance.report(session, policies=settings.policies, at=at)
    published = advisories_this_month(session, settings=settings, today=at.today)
    reported = incidents_this_month(session, settings=settings, today=at.today)
    return {
        "profile_note": profiles.note(settings.policies, locale),
        "incidents": reported,
        "report": report,
        "month": at.today.strftime("%m/%Y"),
        "advisories": published,
        "chain": audit.verify(session, key=audit_key, most=settings.security.verify_workers),
        "checkpoint": _checkpoint(session, settings, checked_at) if checked_at else None,
        "agency": settings.agency,
        "national": NATIONAL,
        "motto": MOTTO,
        "dated": place_and_date(settings.agency, at.today, locale),
        "preparer": preparer,
        "charts": charts or {},
        "zone": settings.zone,
    }


def _checkpoint(session: Session, settings: Settings, checked_at: datetime) -> dict[str, object]:
    """The log's checkpoint at `checked_at`, as its message prints it."""
    return checkpoints.message_context(
        checkpoints.current(session, now=checked_at).line(), settings=settings
    )


@cache
def _environment() -> Environment:
    folder = resources.files("hygiene") / "reports" / "templates"
    env = Environment(
        loader=FileSystemLoader(str(folder)),
        undefined=StrictUndefined,
        autoescape=True,
        keep_trailing_newline=True,
    )
    return env


def stylesheet() -> str:
    """The document's CSS (inline in the PDF; served beside the page under the console's CSP)."""
    return (resources.files("hygiene") / "reports" / "templates" / "monthly.css").read_text("utf-8")


def render_html(
    values: dict[str, Any],
    *,
    locale: str,
    back_link: str | None = None,
    stylesheet_url: str | None = None,
) -> str:
    """The whole document as HTML: styles inline unless `stylesheet_url` is given (the console
    page, whose Content-Security-Policy refuses inline styles); no other asset."""
    loc = i18n.normalise_locale(locale)

    def t(key: str, **params: Any) -> str:
        return i18n.t(key, loc, **params)

    def when(at: Any) -> str:
        return i18n.format_date(as_utc(at).astimezone(values["zone"]).date())

    template = _environment().get_template("monthly.html")
    return template.render(
        **values,
        t=t,
        pct=lambda v: i18n.format_percent(v, loc),
        num=lambda v: i18n.format_number(v, loc),
        when=when,
        locale=loc,
        back_link=back_link,
        stylesheet=stylesheet_url,
        css=Markup(stylesheet()) if stylesheet_url is None else "",  # noqa: S704  (our own file)
    )
