"""Render a message kind in a locale: subject, plain text, HTML and SMS, from template files.

Templates live in ``templates/<locale>/<kind>/{subject.txt, body.txt, body.html, sms.txt}`` in
the package; a file with the same relative path under ``settings.messages.templates_dir`` (by
default ``config/templates`` when it exists) overrides the packaged one. Undefined variables are
errors (StrictUndefined), and HTML is autoescaped, so a name or an advisory cannot inject markup.
"""

from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, StrictUndefined

from hygiene import i18n
from hygiene.messages import links

KINDS = (
    "rotation_upcoming",
    "rotation_due",
    "rotation_overdue",
    "rotation_now",
    "browser",
    "digest",
    "escalation",
    "attest",
    "incident_new",
    "incident_receipt",
    "portal_sign_in",
    "audit_checkpoint",
)
LOCALES = ("vi", "en")
DEFAULT_OVERRIDES = Path("config/templates")


class LinkInMessage(ValueError):
    """A rendered part holds a link (from an override, a name, an old advisory…): never sent."""


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str
    sms: str


def packaged_dir() -> Path:
    return Path(str(resources.files("hygiene") / "messages" / "templates"))


@cache
def _environment(overrides: Path | None, html: bool) -> Environment:
    folders = [str(overrides)] if overrides is not None and overrides.is_dir() else []
    loader = ChoiceLoader([FileSystemLoader([*folders, str(packaged_dir())])])
    env = Environment(
        loader=loader,
        undefined=StrictUndefined,
        autoescape=html,  # noqa: S701  (text parts are plain text, never HTML)
        keep_trailing_newline=True,
        auto_reload=False,
    )
    env.filters["number"] = i18n.format_number  # {{ n|number("vi") }}: 12.345 / 12,345
    return env


def render(
    kind: str, locale: str, context: dict[str, Any], *, templates_dir: Path | None = None
) -> Rendered:
    """Every part of one message. `context` must hold every variable the templates use."""
    if kind not in KINDS:
        raise ValueError(f"unknown message kind {kind!r}")
    loc = locale if locale in LOCALES else LOCALES[0]
    overrides = templates_dir or (DEFAULT_OVERRIDES if DEFAULT_OVERRIDES.is_dir() else None)
    text_env = _environment(overrides, html=False)
    subject = text_env.get_template(f"{loc}/{kind}/subject.txt").render(context).strip()
    full = {**context, "title": subject}
    return _without_links(
        Rendered(
            subject=subject,
            text=text_env.get_template(f"{loc}/{kind}/body.txt").render(full),
            html=_environment(overrides, html=True)
            .get_template(f"{loc}/{kind}/body.html")
            .render(full),
            sms=" ".join(text_env.get_template(f"{loc}/{kind}/sms.txt").render(full).split()),
        )
    )


@dataclass(frozen=True)
class Renderer:
    """render() bound to the template overrides of the configuration (Deps.renderer)."""

    templates_dir: Path | None = None

    def __call__(self, kind: str, locale: str, context: dict[str, Any]) -> Rendered:
        return render(kind, locale, context, templates_dir=self.templates_dir)


def _without_links(rendered: Rendered) -> Rendered:
    """The last line of the no-link rule: whatever text source slipped through, nothing leaves."""
    found = links.find_link(rendered.subject + "\n" + rendered.text + "\n" + rendered.sms)
    found = found or links.find_link_in_html(rendered.html)
    if found:
        raise LinkInMessage(f"the message holds a link: {found[:40]!r}")
    return rendered
