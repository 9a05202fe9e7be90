"""Console sign-in, first-time setup and sign-out for IT admins and security officers.

Failed sign-ins slow down per (account, client), never per account alone: after a few free
failures, the next attempt from that client for that email waits 5 s, then 10 s, 20 s … up to
15 min. Five (or fifty) wrong passwords sent from anywhere slow the sender only; the officer on
another client signs in at once. Unknown emails are slowed the same way (no oracle). The per-IP
limit (SIGN_IN_LIMIT) stays as a ceiling on one client's guesses across accounts.
"""

import hashlib
import math
from datetime import datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session

from hygiene.audit import service as audit
from hygiene.bootstrap import Deps
from hygiene.errors import HygieneError
from hygiene.users import service as users
from hygiene.users import sessions, throttle
from hygiene.users.models import ConsoleUser
from hygiene.web.auth import (
    PublicDep,
    clear_session_cookie,
    session_cookie,
    set_session_cookie,
)
from hygiene.web.deps import DepsDep, LocaleDep, SessionDep, client_ip, render
from hygiene.web.security import require_csrf

router = APIRouter()
SIGN_IN_LIMIT = throttle.Limit(
    limit=10, window=timedelta(minutes=10), lockout=timedelta(minutes=15)
)
SIGN_IN_BACKOFF = throttle.Backoff(
    free=3, first=timedelta(seconds=5), longest=timedelta(minutes=15), forget=timedelta(days=1)
)
Csrf = Depends(require_csrf)


def backoff_key(email: str, client: str) -> str:
    """One key per (account, client); the email hashed to keep the key short and unread."""
    account = hashlib.sha256(email.strip().lower().encode("utf-8")).hexdigest()[:32]
    return f"console-login:account:{account}:client:{client}"


def _check_backoff(session: Session, key: str, now: datetime) -> None:
    wait = throttle.wait_until(session, key=key, rule=SIGN_IN_BACKOFF, now=now)
    if wait is not None:
        raise HygieneError("auth.slow_down", seconds=math.ceil((wait - now).total_seconds()))


def _local(when: datetime | None, deps: Deps) -> datetime | None:
    """Times people read are in HYGIENE_TIMEZONE, not UTC."""
    return when.astimezone(deps.settings.zone).replace(tzinfo=None) if when else None


def _safe_next(value: str | None) -> str:
    """Only local console paths: never an open redirect."""
    if value and value.startswith("/console") and "//" not in value and "\\" not in value:
        return value
    return "/console"


@router.get("/login", response_class=HTMLResponse)
def login_form(
    request: Request, locale: LocaleDep, _: PublicDep, next: str | None = None
) -> HTMLResponse:
    return render(request, "console/login.html", locale, next=_safe_next(next), error=None)


@router.post("/login", dependencies=[Csrf])
def login(
    request: Request,
    locale: LocaleDep,
    deps: DepsDep,
    session: SessionDep,
    _: PublicDep,
    email: Annotated[str, Form()],
    password: Annotated[str, Form()],
    totp: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/console",
) -> Response:
    now = deps.clock.now()
    key = backoff_key(email, client_ip(request))
    try:
        user = _authenticate(
            request, deps, session, key=key, email=email, password=password, totp=totp, now=now
        )
    except HygieneError as exc:
        session.commit()  # keep the failure count even though we answer with an error
        return render(
            request,
            "console/login.html",
            locale,
            status_code=401 if isinstance(exc, users.SignInFailed) else 429,
            next=_safe_next(next),
            error=exc.render(locale),
        )
    return _signed_in(request, deps, session, key=key, user=user, now=now, next=next)


def _authenticate(
    request: Request,
    deps: Deps,
    session: Session,
    *,
    key: str,
    email: str,
    password: str,
    totp: str,
    now: datetime,
) -> ConsoleUser:
    """The user, past the (account, client) backoff and the per-IP limit; a failure counts."""
    _check_backoff(session, key, now)  # before the per-IP count: nothing is checked
    verdict = throttle.hit(
        session, key=f"console-login:ip:{client_ip(request)}", rule=SIGN_IN_LIMIT, now=now
    )
    if not verdict.allowed:
        raise HygieneError("auth.throttled", until=_local(verdict.locked_until, deps))
    try:
        return users.authenticate(
            session, email=email, password=password, totp=totp or None, now=now,
            secret=deps.secret,
        )  # fmt: skip
    except users.SignInFailed:
        throttle.failed(session, key=key, rule=SIGN_IN_BACKOFF, now=now)
        raise


def _signed_in(
    request: Request,
    deps: Deps,
    session: Session,
    *,
    key: str,
    user: ConsoleUser,
    now: datetime,
    next: str,
) -> Response:
    """Forget the failures, audit the sign-in, and start a new session (replacing the old one)."""
    throttle.clear(session, key=key)
    audit.append(
        session,
        key=deps.audit_key,
        now=now,
        actor=f"user:{user.email}",
        action="console.signed_in",
        subject=f"user:{user.email}",
        data={"ip": client_ip(request)},
    )
    token = sessions.start(
        session,
        kind="console",
        secret=deps.secret,
        now=now,
        user_id=user.id,
        previous=session_cookie(request),
    )
    response = RedirectResponse(_safe_next(next), status_code=303)
    set_session_cookie(request, response, token)
    return response


@router.post("/logout", dependencies=[Csrf])
def logout(request: Request, deps: DepsDep, session: SessionDep, principal: PublicDep) -> Response:
    token = session_cookie(request)
    if token:
        sessions.end(session, token=token, secret=deps.secret, now=deps.clock.now())
        audit.append(
            session,
            key=deps.audit_key,
            now=deps.clock.now(),
            actor=principal.actor,
            action="console.signed_out",
            subject=principal.actor,
        )
    response = RedirectResponse("/console/login", status_code=303)
    clear_session_cookie(response)
    return response


@router.get("/setup", response_class=HTMLResponse)
def setup_form(request: Request, locale: LocaleDep, _: PublicDep) -> HTMLResponse:
    return render(request, "console/setup.html", locale, error=None, done=False)


@router.post("/setup", dependencies=[Csrf], response_class=HTMLResponse)
def setup(
    request: Request,
    locale: LocaleDep,
    deps: DepsDep,
    session: SessionDep,
    _: PublicDep,
    email: Annotated[str, Form()],
    code: Annotated[str, Form()],
    password: Annotated[str, Form()],
) -> HTMLResponse:
    now = deps.clock.now()
    verdict = throttle.hit(
        session, key=f"console-setup:ip:{client_ip(request)}", rule=SIGN_IN_LIMIT, now=now
    )
    try:
        if not verdict.allowed:
            raise HygieneError("auth.throttled", until=_local(verdict.locked_until, deps))
        users.complete_setup(
            session, email=email, code=code, password=password, secret=deps.secret, now=now
        )
    except HygieneError as exc:
        session.commit()
        return render(
            request,
            "console/setup.html",
            locale,
            status_code=400,
            error=exc.render(locale),
            done=False,
        )
    response = render(request, "console/setup.html", locale, error=None, done=True)
    response.headers["Cache-Control"] = "no-store"
    return response
