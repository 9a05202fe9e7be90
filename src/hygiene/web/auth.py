"""Who is asking: an anonymous visitor, an official (portal session) or a console user (console
session or API token), and what they may do.

Every route declares its rule with one of the dependencies below; tests/web/test_authz.py walks
every route × every kind of caller, so a route added without a rule fails the suite.
"""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request, Response
from sqlmodel import Session

from hygiene.devices import service as devices
from hygiene.devices.models import Device
from hygiene.inventory.models import Official
from hygiene.users import service as users
from hygiene.users import sessions
from hygiene.users.models import ConsoleUser
from hygiene.web.deps import DepsDep, SessionDep
from hygiene.web.security import SESSION_COOKIE as SESSION_COOKIE  # re-exported for routes
from hygiene.web.security import (
    UNSAFE_METHODS,
    cookie_name,
    is_https,
    read_cookie,
)

ADMIN, SECURITY = "admin", "security"


@dataclass(frozen=True)
class Principal:
    kind: str  # "anonymous" | "official" | "console"
    user: ConsoleUser | None = None
    official: Official | None = None
    roles: frozenset[str] = field(default_factory=frozenset)
    via: str = "none"  # "session" | "token"

    @property
    def actor(self) -> str:
        if self.user is not None:
            return f"user:{self.user.email}"
        if self.official is not None:
            return f"official:{self.official.employee_id}"
        return "anonymous"


ANONYMOUS = Principal("anonymous")


def get_principal(request: Request, deps: DepsDep, session: SessionDep) -> Principal:
    now = deps.clock.now()
    header = request.headers.get("authorization", "")
    # /metrics reads its own bearer token (metrics.token), not a console user's.
    if header.lower().startswith("bearer ") and request.url.path != "/metrics":
        user = users.user_for_token(session, token=header[7:].strip(), secret=deps.secret, now=now)
        if user is None:
            raise HTTPException(401, "auth.bad_token", headers={"WWW-Authenticate": "Bearer"})
        return Principal("console", user=user, roles=frozenset(user.roles.split(",")), via="token")
    return _from_session(session, session_cookie(request), deps.secret, now)


def _refuse_cookie_writes(request: Request, principal: Principal) -> None:
    """An unsafe /api request may not be authenticated by a cookie: a same-site page can make
    the browser send the cookie, only a script holds a token."""
    api_write = request.method in UNSAFE_METHODS and request.url.path.startswith("/api/")
    if api_write and principal.via == "session":
        raise HTTPException(403, "auth.api_needs_token")


def _from_session(session: Session, token: str | None, secret: bytes, now: datetime) -> Principal:
    web = sessions.resolve(session, token=token, secret=secret, now=now)
    if web is None:
        return ANONYMOUS
    if web.kind == "console" and web.user_id is not None:
        user = session.get(ConsoleUser, web.user_id)
        if user is not None and user.active:
            return Principal(
                "console", user=user, roles=frozenset(user.roles.split(",")), via="session"
            )
    if web.kind == "official" and web.official_id is not None:
        official = session.get(Official, web.official_id)
        if official is not None and official.active:
            return Principal("official", official=official, via="session")
    return ANONYMOUS


def session_cookie(request: Request) -> str | None:
    """The session token the browser sent (`__Host-hygiene_session` over TLS)."""
    return read_cookie(request, SESSION_COOKIE)


PrincipalDep = Annotated[Principal, Depends(get_principal)]


def require_roles(*roles: str) -> Any:
    """A dependency: a console user holding at least one of `roles` (401 if not signed in)."""

    def check(request: Request, principal: PrincipalDep) -> Principal:
        _refuse_cookie_writes(request, principal)
        if principal.kind != "console":
            raise HTTPException(401, "auth.sign_in_required")
        if not principal.roles & set(roles):
            raise HTTPException(403, "auth.forbidden")
        return principal

    return Depends(check)


def require_official(request: Request, principal: PrincipalDep) -> Principal:
    _refuse_cookie_writes(request, principal)
    if principal.kind != "official":
        raise HTTPException(401, "auth.sign_in_required")
    return principal


def public(principal: PrincipalDep) -> Principal:
    """Open to anyone, signed in or not (the rule is explicit all the same)."""
    return principal


AdminDep = Annotated[Principal, require_roles(ADMIN)]
SecurityDep = Annotated[Principal, require_roles(SECURITY)]
StaffDep = Annotated[Principal, require_roles(ADMIN, SECURITY)]
OfficialDep = Annotated[Principal, Depends(require_official)]
PublicDep = Annotated[Principal, Depends(public)]


def require_device(request: Request, deps: DepsDep, session: SessionDep) -> Device:
    """A probe device: `Authorization: Bearer hygdev_…` (no person, signed in or not, gets in)."""
    header = request.headers.get("authorization", "")
    token = header[7:].strip() if header.lower().startswith("bearer ") else ""
    device = devices.device_for_token(session, token=token, secret=deps.secret) if token else None
    if device is None:
        raise HTTPException(401, "auth.bad_device_token", headers={"WWW-Authenticate": "Bearer"})
    return device


DeviceDep = Annotated[Device, Depends(require_device)]


def set_session_cookie(request: Request, response: Response, token: str) -> None:
    response.set_cookie(
        cookie_name(request, SESSION_COOKIE), token, httponly=True, samesite="lax",
        secure=is_https(request), path="/",
    )  # fmt: skip


def clear_session_cookie(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/")
    response.delete_cookie(f"__Host-{SESSION_COOKIE}", path="/", secure=True)
