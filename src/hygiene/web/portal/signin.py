"""Portal sign-in: the official names themselves, we send a one-time code at once, they type it.

The answer to "send me a code" is the same whether or not the identifier matched anyone, and comes
after the same time (answer_floor: no enumeration); attempts are limited per client, and sends per
identifier (no SMS bombing). The request only enqueues the code as an urgent outbox message and
wakes the delivery loop, which sends it at once through the official's preferred channels (the
reminder send window does not apply), recording every attempt like any message. Success starts a
NEW session and ends the browser's previous one (session fixation).
"""

import time
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Annotated

import anyio
from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session

from hygiene.audit import service as audit
from hygiene.bootstrap import Deps
from hygiene.db import row_id
from hygiene.errors import HygieneError
from hygiene.inventory.models import Official
from hygiene.inventory.values import fold_ascii
from hygiene.portal import signin
from hygiene.users import sessions, throttle
from hygiene.web.auth import PublicDep, clear_session_cookie, session_cookie, set_session_cookie
from hygiene.web.deps import DepsDep, LocaleDep, SessionDep, client_ip, render
from hygiene.web.security import require_csrf

router = APIRouter()
Csrf = Depends(require_csrf)
CLIENT_LIMIT = throttle.Limit(limit=10, window=timedelta(minutes=10), lockout=timedelta(minutes=15))
SEND_LIMIT = throttle.Limit(limit=3, window=timedelta(minutes=10), lockout=timedelta(minutes=20))


def _safe_next(value: str | None) -> str:
    if value and value.startswith("/portal") and "//" not in value and "\\" not in value:
        return value
    return "/portal"


def _form(
    request: Request,
    locale: str,
    *,
    step: str,
    identifier: str = "",
    error: str | None = None,
    next_path: str = "/portal",
    status_code: int = 200,
) -> HTMLResponse:
    return render(
        request,
        "portal/sign_in.html",
        locale,
        status_code=status_code,
        official=None,
        step=step,
        identifier=identifier,
        error=error,
        next=_safe_next(next_path),
    )


def _check(session: Session, key: str, rule: throttle.Limit, deps: Deps) -> None:
    verdict = throttle.hit(session, key=key[:200], rule=rule, now=deps.clock.now())
    if not verdict.allowed and verdict.locked_until is not None:
        until = verdict.locked_until.astimezone(deps.settings.zone).replace(tzinfo=None)
        raise HygieneError("portal.signin.locked", until=until)


@router.get("/sign-in", response_class=HTMLResponse)
def sign_in_form(
    request: Request, locale: LocaleDep, _: PublicDep, next: str | None = None
) -> HTMLResponse:
    return _form(request, locale, step="identify", next_path=next or "/portal")


async def answer_floor(deps: DepsDep) -> AsyncIterator[None]:
    """Answer no sooner than security.sign_in_answer_ms after the request came in, whatever
    happened: a known identifier (a code issued and enqueued) and an unknown one then take the
    same time (no enumeration by timing). Waits on the event loop, not in a worker thread, and
    before the response is sent (scope="function")."""
    started = time.monotonic()
    yield
    rest = deps.settings.security.sign_in_answer_ms / 1000 - (time.monotonic() - started)
    if rest > 0:
        await anyio.sleep(rest)


# Declared before the route's own dependencies, so it is left last: after the session's commit.
Floor = Depends(answer_floor, scope="function")


@router.post("/sign-in", dependencies=[Floor, Csrf], response_class=HTMLResponse)
def send_code(
    request: Request,
    locale: LocaleDep,
    deps: DepsDep,
    session: SessionDep,
    _: PublicDep,
    identifier: Annotated[str, Form(max_length=254)],
    next: Annotated[str, Form()] = "/portal",
) -> HTMLResponse:
    cleaned = " ".join(identifier.split())
    try:
        _check(session, f"portal-sign-in:ip:{client_ip(request)}", CLIENT_LIMIT, deps)
        _check(session, f"portal-send:{fold_ascii(cleaned).lower()}", SEND_LIMIT, deps)
    except HygieneError as exc:
        session.commit()
        return _form(
            request,
            locale,
            step="identify",
            identifier=cleaned,
            status_code=429,
            error=exc.render(locale),
            next_path=next,
        )
    official = signin.find_official(session, identifier=cleaned)
    if official is not None and _may_send(session, deps, row_id(official.id)):
        now = deps.clock.now()
        signin.issue(
            session,
            official_id=row_id(official.id),
            secret=deps.secret,
            now=now,
            today=now.astimezone(deps.settings.zone).date(),
        )
        session.commit()  # the code must exist before the official can type it
        deps.wake_delivery()
    return _form(request, locale, step="code", identifier=cleaned, next_path=next)


def _may_send(session: Session, deps: Deps, official_id: int) -> bool:
    """Also limit sends per official, whatever spelling of their phone or email was typed.
    Over the limit nothing is sent, and the answer stays the same (no enumeration)."""
    key = f"portal-send:official:{official_id}"
    return throttle.hit(session, key=key, rule=SEND_LIMIT, now=deps.clock.now()).allowed


@router.post("/sign-in/code", dependencies=[Floor, Csrf], response_class=HTMLResponse)
def verify_code(
    request: Request,
    locale: LocaleDep,
    deps: DepsDep,
    session: SessionDep,
    _: PublicDep,
    identifier: Annotated[str, Form(max_length=254)],
    code: Annotated[str, Form(max_length=64)],
    next: Annotated[str, Form()] = "/portal",
) -> Response:
    now = deps.clock.now()
    try:
        _check(session, f"portal-sign-in:ip:{client_ip(request)}", CLIENT_LIMIT, deps)
        official = signin.verify(
            session, identifier=identifier, typed=code, secret=deps.secret, now=now
        )
    except HygieneError as exc:
        session.commit()
        status = 429 if exc.code == "portal.signin.locked" else 400
        return _form(
            request,
            locale,
            step="code",
            identifier=" ".join(identifier.split()),
            error=exc.render(locale),
            status_code=status,
            next_path=next,
        )
    response = RedirectResponse(_safe_next(next), status_code=303)
    set_session_cookie(request, response, _start(request, deps, session, official))
    return response


def _start(request: Request, deps: Deps, session: Session, official: Official) -> str:
    """A NEW session for the official (the browser's previous one ends), audited."""
    now, who = deps.clock.now(), f"official:{official.employee_id}"
    token = sessions.start(
        session,
        kind="official",
        secret=deps.secret,
        now=now,
        official_id=official.id,
        previous=session_cookie(request),
    )
    audit.append(
        session, key=deps.audit_key, now=now, actor=who, action="portal.signed_in", subject=who
    )
    return token


@router.post("/sign-out", dependencies=[Csrf])
def sign_out(request: Request, deps: DepsDep, session: SessionDep, _: PublicDep) -> Response:
    token = session_cookie(request)
    if token:
        sessions.end(session, token=token, secret=deps.secret, now=deps.clock.now())
    response = RedirectResponse("/portal/sign-in", status_code=303)
    clear_session_cookie(response)
    return response
