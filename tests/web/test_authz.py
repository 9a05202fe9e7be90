"""Every route × every kind of caller, checked against the rule the route declares.

The rule comes from the route's dependant (tests/web/authz.py): PublicDep, OfficialDep, AdminDep,
SecurityDep or StaffDep. A route with no rule fails here, so does a route whose answer does not
match its rule. Console users sign in with a session cookie; on /api they use an API token.
"""

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session
from starlette.responses import PlainTextResponse

from hygiene.bootstrap import Deps
from hygiene.runtime import Runtime
from hygiene.users import sessions
from hygiene.web import errors, security
from hygiene.web.app import create_app
from hygiene.web.auth import SESSION_COOKIE, AdminDep, PublicDep, StaffDep
from hygiene.web.security import CSRF_COOKIE, SecurityMiddleware, require_csrf
from tests import factories as f
from tests.conftest import NOW, SECRET
from tests.web import authz
from tests.web.staff import ADMIN_EMAIL, SECURITY_EMAIL, api_token, console_cookie, make_user

CSRF_VALUE = security.mint_cookie(SECRET.encode())
DENIED = {
    "auth.sign_in_required",
    "auth.forbidden",
    "auth.bad_token",
    "auth.bad_device_token",
    "auth.api_needs_token",  # a browser cookie never writes through the API
}


def csrf_for(session_cookie: str | None) -> str:
    """The form token a page would have given this caller (bound to its session if any)."""
    nonce = CSRF_VALUE.partition(".")[0]
    bound = f"session:{session_cookie}" if session_cookie else f"browser:{nonce}"
    return security.token_for(SECRET.encode(), bound)


SKIPPED_METHODS = {"HEAD", "OPTIONS"}


@dataclass
class Caller:
    """A kind of caller. `cookie` makes a NEW session each time: the walk signs out too."""

    name: str
    cookie: Callable[[], str] | None = None
    headers: dict[str, str] = field(default_factory=dict)


@pytest.fixture
def callers(session: Session) -> list[Caller]:
    unit = f.unit(session)
    official = f.official(session, f.ident(unit), "CB001")
    session.commit()
    # Console user 1 and API token 1 belong to a bystander: the walk calls every route with id 1,
    # so /console/access may deactivate or revoke them without locking the callers out.
    make_user(session, "nguoi-ngoai@huyen.example", "admin")
    api_token(session, "nguoi-ngoai@huyen.example")
    admin = make_user(session, ADMIN_EMAIL, "admin")
    security = make_user(session, SECURITY_EMAIL, "security")

    def official_cookie() -> str:
        token = sessions.start(
            session, kind="official", secret=SECRET.encode(), now=NOW, official_id=official.id
        )
        session.commit()
        return token

    return [
        Caller("anonymous"),
        Caller("official", official_cookie),
        Caller(
            "admin",
            lambda: console_cookie(session, admin),
            {"Authorization": f"Bearer {api_token(session, ADMIN_EMAIL)}"},
        ),
        Caller(
            "security",
            lambda: console_cookie(session, security),
            {"Authorization": f"Bearer {api_token(session, SECURITY_EMAIL)}"},
        ),
    ]


def _path(template: str) -> str:
    return re.sub(r"\{[^}]+\}", "1", template)


def _needs_csrf(route: Any) -> bool:
    return require_csrf in authz._calls(route.dependant)


def _verdict(client: TestClient, caller: Caller, route: Any, method: str) -> str:
    path = _path(route.path)
    client.cookies.clear()
    client.cookies.set(CSRF_COOKIE, CSRF_VALUE)
    headers = {"Accept": "application/json"}
    cookie = None
    if path.startswith("/api/") and caller.headers:
        headers.update(caller.headers)
    elif caller.cookie:
        cookie = caller.cookie()
        client.cookies.set(SESSION_COOKIE, cookie)
    body: dict[str, Any] = {}
    if method not in {"GET", "DELETE"}:
        token = csrf_for(cookie)
        body = {"data": {"csrf_token": token}} if _needs_csrf(route) else {"json": {}}
    response = client.request(method, path, headers=headers, follow_redirects=False, **body)
    code = ""
    if response.headers.get("content-type", "").startswith("application/json"):
        payload = response.json()
        code = payload.get("error", "") if isinstance(payload, dict) else ""
    if code == "auth.csrf":
        return "csrf"
    return "deny" if response.status_code in {401, 403} and code in DENIED else "allow"


def _walk(app: FastAPI, callers: list[Caller]) -> Iterator[str]:
    with TestClient(app, raise_server_exceptions=False) as client:
        for route, rule in authz.checked_routes(app):
            if rule is None:
                yield f"no rule: {route.path}"
                continue
            for method in sorted(set(route.methods or ()) - SKIPPED_METHODS):
                for caller in callers:
                    expected = "allow" if caller.name in authz.ALLOWED[rule] else "deny"
                    got = _verdict(client, caller, route, method)
                    if got != expected:
                        yield f"{method} {route.path} [{rule}] {caller.name}: {got}"


def test_every_route_answers_every_caller_as_its_rule_says(
    deps: Deps, callers: list[Caller]
) -> None:
    app = create_app(deps, runtime=Runtime(started_at=deps.clock.now()))

    problems = list(_walk(app, callers))

    assert problems == []


def test_the_walk_covers_the_consoles_and_the_api(deps: Deps) -> None:
    app = create_app(deps, runtime=Runtime(started_at=deps.clock.now()))

    paths = {getattr(r, "path", "") for r, _ in authz.checked_routes(app)}

    assert {"/console", "/console/compliance", "/api/v1/officials", "/openapi.json"} <= paths


def test_a_route_without_a_rule_is_flagged(deps: Deps) -> None:
    app = create_app(deps, runtime=Runtime(started_at=deps.clock.now()))
    app.add_api_route("/console/forgotten", lambda: {"oops": True})
    app.add_route("/plain", lambda request: PlainTextResponse(""))

    flagged = authz.unruled(app)

    assert any("/console/forgotten" in line for line in flagged)
    assert any("/plain" in line for line in flagged)


def _small_app(deps: Deps) -> FastAPI:
    app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)
    app.state.deps = deps
    app.add_middleware(SecurityMiddleware, secret=deps.secret)
    errors.install(app)
    return app


def test_a_route_without_a_rule_fails_the_walk(deps: Deps, callers: list[Caller]) -> None:
    app = _small_app(deps)

    def staff_only(_: StaffDep) -> dict[str, bool]:
        return {"ok": True}

    app.add_api_route("/api/v1/ruled", staff_only)
    app.add_api_route("/api/v1/forgotten", lambda: {"oops": True})

    problems = list(_walk(app, callers))

    assert problems == ["no rule: /api/v1/forgotten"]


def test_a_route_that_lets_the_wrong_caller_in_fails_the_walk(
    deps: Deps, callers: list[Caller]
) -> None:
    app = _small_app(deps)

    def admin_only(_: AdminDep) -> dict[str, bool]:
        return {"ok": True}

    app.add_api_route("/api/v1/leaky", admin_only)
    app.dependency_overrides[authz.dependency_of(AdminDep)] = authz.dependency_of(PublicDep)

    problems = list(_walk(app, callers))

    assert problems == [
        f"GET /api/v1/leaky [admin] {name}: allow" for name in ("anonymous", "official", "security")
    ]
