"""/console/access: revocation and recovery for admins (and security officers where it only
takes access away): console users deactivated, reactivated or reset, API tokens and probe
devices revoked. Each action is the same audited service call as the CLI's (users.revocation)
and takes effect on the very next request; every form carries the CSRF token.

Who may do what: taking access away (deactivate a user, revoke a token or a device) is open to
admins and security officers, who may need to cut off a stolen account at once; giving access
(reactivate, reset with a new setup code) is for admins. Nobody deactivates or resets themself
here (that would lock them out of this page).
"""

from datetime import datetime
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, Response
from sqlmodel import Session, col, select

from hygiene.clock import as_utc
from hygiene.errors import HygieneError
from hygiene.users import revocation
from hygiene.users.models import ApiToken, ConsoleUser
from hygiene.web.auth import AdminDep, Principal, StaffDep
from hygiene.web.console.common import Csrf, page, redirect
from hygiene.web.deps import DepsDep, LocaleDep, SessionDep

router = APIRouter(prefix="/access")
PATH = "/console/access"


def token_state(token: ApiToken, now: datetime) -> str:
    if token.revoked_at is not None:
        return "revoked"
    if token.expires_at is not None and as_utc(token.expires_at) <= now:
        return "expired"
    return "live"


def _page(
    request: Request, locale: str, session: Session, principal: Principal, now: datetime,
    **extra: Any,
) -> HTMLResponse:  # fmt: skip
    users = session.exec(select(ConsoleUser).order_by(col(ConsoleUser.email))).all()
    tokens = session.exec(select(ApiToken).order_by(col(ApiToken.id))).all()
    owners = {u.id: u.email for u in users}
    response = page(
        request, "console/access.html", locale, principal, users=users, owners=owners,
        tokens=[(t, token_state(t, now)) for t in tokens], devices=revocation.devices(session),
        me=principal.user.id if principal.user else None, **extra,
    )  # fmt: skip
    response.headers["Cache-Control"] = "no-store"  # a reset page shows a setup code once
    return response


@router.get("", response_class=HTMLResponse)
def access(
    request: Request, locale: LocaleDep, session: SessionDep, deps: DepsDep, principal: StaffDep
) -> HTMLResponse:
    return _page(request, locale, session, principal, deps.clock.now())


def _user(session: Session, principal: Principal, user_id: int) -> ConsoleUser:
    user = session.get(ConsoleUser, user_id)
    if user is None:
        raise HTTPException(404, "http.404")
    if principal.user is not None and principal.user.id == user_id:
        raise HTTPException(400, "revocation.not_yourself")
    return user


@router.post("/users/{user_id}/deactivate", dependencies=[Csrf])
def deactivate(session: SessionDep, deps: DepsDep, principal: StaffDep, user_id: int) -> Response:
    user = _user(session, principal, user_id)
    revocation.deactivate(session, email=user.email, secret=deps.secret, now=deps.clock.now(),
                          actor=principal.actor)  # fmt: skip
    return redirect(PATH, "access_deactivated")


@router.post("/users/{user_id}/reactivate", dependencies=[Csrf])
def reactivate(session: SessionDep, deps: DepsDep, principal: AdminDep, user_id: int) -> Response:
    user = _user(session, principal, user_id)
    revocation.reactivate(session, email=user.email, secret=deps.secret, now=deps.clock.now(),
                          actor=principal.actor)  # fmt: skip
    return redirect(PATH, "access_reactivated")


@router.post("/users/{user_id}/reset", dependencies=[Csrf], response_class=HTMLResponse)
def reset(
    request: Request,
    locale: LocaleDep,
    session: SessionDep,
    deps: DepsDep,
    principal: AdminDep,
    user_id: int,
) -> HTMLResponse:
    """Shown once, on this answer only (never in a redirect's URL): the new setup code."""
    user = _user(session, principal, user_id)
    now = deps.clock.now()
    _, code = revocation.reset(session, email=user.email, secret=deps.secret, now=now,
                               actor=principal.actor)  # fmt: skip
    return _page(request, locale, session, principal, now, reset_email=user.email, code=code)


@router.post("/tokens/{token_id}/revoke", dependencies=[Csrf])
def revoke_token(
    session: SessionDep, deps: DepsDep, principal: StaffDep, token_id: int
) -> Response:
    try:
        revocation.revoke_token(session, token_id=token_id, secret=deps.secret,
                                now=deps.clock.now(), actor=principal.actor)  # fmt: skip
    except HygieneError:
        raise HTTPException(404, "http.404") from None
    return redirect(PATH, "access_token_revoked")


@router.post("/devices/{device_id}/revoke", dependencies=[Csrf])
def revoke_device(
    session: SessionDep, deps: DepsDep, principal: StaffDep, device_id: int
) -> Response:
    try:
        revocation.revoke_device(session, device_id=device_id, secret=deps.secret,
                                 now=deps.clock.now(), actor=principal.actor)  # fmt: skip
    except HygieneError:
        raise HTTPException(404, "http.404") from None
    return redirect(PATH, "access_device_revoked")
