"""What the console pages share: the CSRF rule for forms, flash notes after a redirect, paging."""

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from hygiene import i18n
from hygiene.web.auth import ADMIN, SECURITY, Principal
from hygiene.web.deps import render
from hygiene.web.security import require_csrf

Csrf = Depends(require_csrf)
PAGE_SIZE = 50
FLASHES = {
    "saved",
    "imported",
    "retried",
    "not_retried",
    "published",
    "deactivated",
    "access_deactivated",
    "access_reactivated",
    "access_token_revoked",
    "access_device_revoked",
}


@dataclass(frozen=True)
class Pager:
    offset: int
    total: int
    size: int = PAGE_SIZE

    @property
    def previous(self) -> int | None:
        return max(0, self.offset - self.size) if self.offset > 0 else None

    @property
    def next(self) -> int | None:
        return self.offset + self.size if self.offset + self.size < self.total else None

    @property
    def last_shown(self) -> int:
        return min(self.total, self.offset + self.size)


def page(
    request: Request, name: str, locale: str, principal: Principal, **context: Any
) -> HTMLResponse:
    """Render a console page with the navigation for the user's roles and any flash note."""
    flash = request.query_params.get("ok")
    return render(
        request,
        name,
        locale,
        principal=principal,
        is_admin=ADMIN in principal.roles,
        is_security=SECURITY in principal.roles,
        flash=flash if flash in FLASHES else None,
        query=lambda **changes: query_string(request, **changes),
        when=lambda at: local_time(request, at),
        **context,
    )


def local_time(request: Request, at: datetime | None) -> str:
    """An instant as dd/mm/yyyy HH:MM in the service's time zone (SQLite returns naive UTC)."""
    if at is None:
        return ""
    zone = request.app.state.deps.settings.zone
    aware = at if at.tzinfo else at.replace(tzinfo=UTC)
    return str(i18n.format_value(aware.astimezone(zone)))


def query_string(request: Request, **changes: Any) -> str:
    """The current query string with `changes` applied (for paging links that keep filters)."""
    params = {k: v for k, v in request.query_params.items() if k not in {"ok", "lang"}}
    params.update({k: str(v) for k, v in changes.items() if v is not None})
    return "?" + urlencode(params)


def redirect(path: str, flash: str | None = None) -> RedirectResponse:
    target = f"{path}?ok={flash}" if flash else path
    return RedirectResponse(target, status_code=303)
