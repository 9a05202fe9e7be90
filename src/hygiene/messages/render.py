"""Render a message kind in a locale: subject, plain text, HTML and SMS, from template files.

Templates live in ``templates/<locale>/<kind>/{subject.txt, body.txt, body.html, sms.txt}`` in
the package; a file with the same relative path under ``settings.messages.templates_dir`` (by
default ``config/templates`` when it exists) overrides the packaged one. Undefined variables are
errors (StrictUndefined), and HTML is autoescaped, so a name or an advisory cannot inject markup.

Speed (every message of a campaign is rendered at delivery time): an ``{% include 'x' %}`` of a
literal name is replaced by the included file's source when a template is loaded (an include
builds a new context each time it runs, once per account in a reminder's list), and the four
compiled templates of a kind and locale are looked up once. Templates are read once per
process, as before: a changed override takes effect on restart. One difference an override can
see: a `{% set %}` in an included file now also holds after the include (the packaged
templates set nothing).
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, cached_property
from importlib import resources
from pathlib import Path
from typing import Any

from jinja2 import BaseLoader, Environment, FileSystemLoader, StrictUndefined, Template

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
PARTS = ("subject.txt", "body.txt", "body.html", "sms.txt")
# A plain include of a literal name (no "ignore missing", no "with/without context", no
# whitespace control): the only kind inlined; any other include runs as Jinja runs it.
_INCLUDE = re.compile(r"\{%\s*include\s+(['\"])([\w./\-]+)\1\s*%\}")
_MAX_DEPTH = 8


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


class _Inlining(BaseLoader):
    """FileSystemLoader over the overrides then the packaged files, with plain includes of
    literal names replaced by the included source (recursively, up to _MAX_DEPTH levels): the
    rendered text is the same, without an include's context per call."""

    def __init__(self, folders: list[str]) -> None:
        self.files = FileSystemLoader(folders)

    def get_source(
        self, environment: Environment, template: str
    ) -> tuple[str, str | None, Callable[[], bool] | None]:
        source, filename, uptodate = self.files.get_source(environment, template)
        return self._inline(environment, source, 0), filename, uptodate

    def _inline(self, environment: Environment, source: str, depth: int) -> str:
        if depth >= _MAX_DEPTH:
            return source

        def included(found: re.Match[str]) -> str:
            inner = self.files.get_source(environment, found.group(2))[0]
            return self._inline(environment, inner, depth + 1)

        return _INCLUDE.sub(included, source)


@cache
def _environment(overrides: Path | None, html: bool) -> Environment:
    folders = [str(overrides)] if overrides is not None and overrides.is_dir() else []
    loader = _Inlining([*folders, str(packaged_dir())])
    env = Environment(
        loader=loader,
        undefined=StrictUndefined,
        autoescape=html,  # noqa: S701  (text parts are plain text, never HTML)
        keep_trailing_newline=True,
        auto_reload=False,
    )
    env.filters["number"] = i18n.format_number  # {{ n|number("vi") }}: 12.345 / 12,345
    return env


@cache
def _templates(overrides: Path | None, loc: str, kind: str) -> tuple[Template, ...]:
    """subject, text, HTML and SMS templates of `kind` in `loc`, compiled once."""
    return tuple(
        _environment(overrides, html=part.endswith(".html")).get_template(f"{loc}/{kind}/{part}")
        for part in PARTS
    )


def _overrides(templates_dir: Path | None) -> Path | None:
    return templates_dir or (DEFAULT_OVERRIDES if DEFAULT_OVERRIDES.is_dir() else None)


def render(
    kind: str, locale: str, context: dict[str, Any], *, templates_dir: Path | None = None
) -> Rendered:
    """Every part of one message. `context` must hold every variable the templates use."""
    return _render(_overrides(templates_dir), kind, locale, context)


def _render(
    overrides: Path | None,
    kind: str,
    locale: str,
    context: dict[str, Any],
    sms: bool = True,
    html: bool = True,
) -> Rendered:
    if kind not in KINDS:
        raise ValueError(f"unknown message kind {kind!r}")
    loc = locale if locale in LOCALES else LOCALES[0]
    subject_t, text_t, html_t, sms_t = _templates(overrides, loc, kind)
    subject = subject_t.render(context).strip()
    full = {**context, "title": subject}
    return _without_links(
        Rendered(
            subject=subject,
            text=text_t.render(full),
            html=html_t.render(full) if html else "",
            sms=" ".join(sms_t.render(full).split()) if sms else "",
        )
    )


@dataclass(frozen=True)
class Renderer:
    """render() bound to the template overrides of the configuration (Deps.renderer); without
    `templates_dir`, config/templates is looked for once, on the first message."""

    templates_dir: Path | None = None

    @cached_property
    def overrides(self) -> Path | None:
        return _overrides(self.templates_dir)

    def __call__(
        self,
        kind: str,
        locale: str,
        context: dict[str, Any],
        *,
        sms: bool = True,
        html: bool = True,
    ) -> Rendered:
        """`sms=False` / `html=False`: that part is left empty (no route of the message sends
        it: SMS is for phone channels, HTML for email and the file channel)."""
        return _render(self.overrides, kind, locale, context, sms, html)


def _without_links(rendered: Rendered) -> Rendered:
    """The last line of the no-link rule: whatever text source slipped through, nothing leaves."""
    found = links.find_link(rendered.subject + "\n" + rendered.text + "\n" + rendered.sms)
    found = found or links.find_link_in_html(rendered.html)
    if found:
        raise LinkInMessage(f"the message holds a link: {found[:40]!r}")
    return rendered
