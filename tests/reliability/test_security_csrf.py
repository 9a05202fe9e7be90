"""CSRF on every form: each POST route that depends on `require_csrf` (found by walking the app's
routes) refuses a signed-in caller's request without the token, with a wrong token, or with a token
minted for another browser's CSRF cookie (what a cross-site page could at best obtain)."""

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlmodel import Session
from starlette.routing import BaseRoute

from hygiene.bootstrap import Deps
from hygiene.runtime import Runtime
from hygiene.web.app import create_app
from hygiene.web.auth import SESSION_COOKIE
from hygiene.web.security import require_csrf
from tests.reliability.security_helpers import csrf
from tests.web.portal_helpers import make_official
from tests.web.portal_helpers import sign_in as portal_sign_in
from tests.web.staff import ADMIN_EMAIL, console_cookie, make_user

WRONG = "0" * 64


@dataclass
class Browsers:
    app: FastAPI
    console: TestClient
    portal: TestClient
    stranger: TestClient

    def for_path(self, path: str) -> TestClient:
        return self.portal if path.startswith("/portal") else self.console


def uses_csrf(dependant: Dependant) -> bool:
    return any(d.call is require_csrf or uses_csrf(d) for d in dependant.dependencies)


def walk(routes: Sequence[BaseRoute], prefix: str = "", inherited: bool = False) -> Iterator[str]:
    """Every POST route guarded by require_csrf. FastAPI ≥ 0.16x keeps an included router as one
    node (`original_router` + `include_context`), so descend into those too."""
    for route in routes:
        if isinstance(route, APIRoute):
            guarded = inherited or uses_csrf(route.dependant)
            if "POST" in (route.methods or set()) and guarded:
                yield prefix + route.path
            continue
        included: Any = getattr(route, "original_router", None)
        if included is not None:
            context: Any = getattr(route, "include_context", None)
            extra = [d.dependency for d in getattr(context, "dependencies", [])]
            yield from walk(
                included.routes,
                prefix + (getattr(context, "prefix", "") or ""),
                inherited or require_csrf in extra,
            )


def form_routes(app: FastAPI) -> list[str]:
    return sorted({re.sub(r"\{[^}]+\}", "1", path) for path in walk(app.routes)})


@pytest.fixture
def browsers(deps: Deps, session: Session) -> Iterator[Browsers]:
    app = create_app(deps, runtime=Runtime(started_at=deps.clock.now()))
    make_official(session)
    user_id = make_user(session, ADMIN_EMAIL, "admin,security")
    with TestClient(app) as console, TestClient(app) as portal, TestClient(app) as stranger:
        console.cookies.set(SESSION_COOKIE, console_cookie(session, user_id))
        portal_sign_in(portal, deps.settings)
        for client in (console, portal, stranger):
            client.get("/portal/sign-in")  # each browser gets its own CSRF cookie
        yield Browsers(app, console, portal, stranger)


def test_the_app_has_the_expected_form_routes(browsers: Browsers) -> None:
    routes = form_routes(browsers.app)

    assert len(routes) >= 10
    assert {"/console/login", "/console/logout", "/portal/sign-in", "/portal/code"} <= set(routes)
    assert any(r.startswith("/console/") and r != "/console/login" for r in routes)


def test_every_form_refuses_a_post_without_the_token(browsers: Browsers) -> None:
    refused = {
        path: browsers.for_path(path).post(path, data={"x": "1"}).status_code
        for path in form_routes(browsers.app)
    }

    assert refused == dict.fromkeys(refused, 403)


def test_every_form_refuses_a_wrong_token(browsers: Browsers) -> None:
    refused = {
        path: browsers.for_path(path).post(path, data={"csrf_token": WRONG}).status_code
        for path in form_routes(browsers.app)
    }

    assert refused == dict.fromkeys(refused, 403)


def test_every_form_refuses_a_token_minted_for_another_browser(browsers: Browsers) -> None:
    foreign = csrf(browsers.stranger, "/portal/sign-in")

    refused = {
        path: browsers.for_path(path).post(path, data={"csrf_token": foreign}).status_code
        for path in form_routes(browsers.app)
    }

    assert refused == dict.fromkeys(refused, 403)


def test_the_same_requests_pass_the_csrf_check_with_the_browser_own_token(
    browsers: Browsers,
) -> None:
    answers = {
        path: browsers.for_path(path)
        .post(
            path,
            data={"csrf_token": csrf(browsers.for_path(path), "/portal/sign-in")},
            follow_redirects=False,
        )
        .status_code
        for path in form_routes(browsers.app)
    }

    assert 403 not in answers.values(), answers
