"""Session fixation and sign-out, for the console and the portal: a session cookie planted before
sign-in is dead after it, and a cookie replayed after sign-out is refused by the server."""

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from hygiene.bootstrap import Deps
from hygiene.runtime import Runtime
from hygiene.users import sessions
from hygiene.web.app import create_app
from hygiene.web.auth import SESSION_COOKIE
from tests.conftest import NOW, SECRET
from tests.reliability.security_helpers import csrf
from tests.web.portal_helpers import make_official
from tests.web.portal_helpers import sign_in as portal_sign_in
from tests.web.staff import ADMIN_EMAIL, make_user
from tests.web.test_console_auth import PASSWORD


@pytest.fixture
def app_clients(deps: Deps) -> Iterator[tuple[TestClient, TestClient]]:
    """A victim's browser and an attacker's (or a later replay), on one app."""
    app = create_app(deps, runtime=Runtime(started_at=deps.clock.now()))
    with TestClient(app) as victim, TestClient(app) as other:
        yield victim, other


def console_sign_in(client: TestClient) -> str:
    token = csrf(client, "/console/login")
    response = client.post(
        "/console/login",
        data={"email": ADMIN_EMAIL, "password": PASSWORD, "csrf_token": token},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    cookie = response.cookies.get(SESSION_COOKIE)
    assert cookie
    return cookie


def console_status(client: TestClient, cookie: str) -> int:
    client.cookies.clear()
    client.cookies.set(SESSION_COOKIE, cookie)
    return client.get("/console", follow_redirects=False).status_code


def portal_status(client: TestClient, cookie: str) -> int:
    client.cookies.clear()
    client.cookies.set(SESSION_COOKIE, cookie)
    return client.get("/portal/phrase", follow_redirects=False).status_code


def test_a_planted_console_session_dies_when_the_victim_signs_in(
    app_clients: tuple[TestClient, TestClient], session: Session
) -> None:
    victim, attacker = app_clients
    user_id = make_user(session, ADMIN_EMAIL, "admin")
    planted = sessions.start(
        session, kind="console", secret=SECRET.encode(), now=NOW, user_id=user_id
    )
    session.commit()
    victim.cookies.set(SESSION_COOKIE, planted)

    fresh = console_sign_in(victim)

    assert fresh != planted
    assert console_status(attacker, planted) == 303
    assert console_status(attacker, fresh) == 200


def test_a_console_cookie_replayed_after_sign_out_is_refused(
    app_clients: tuple[TestClient, TestClient], session: Session
) -> None:
    victim, replay = app_clients
    make_user(session, ADMIN_EMAIL, "admin")
    cookie = console_sign_in(victim)

    out = victim.post(
        "/console/logout", data={"csrf_token": csrf(victim, "/console")}, follow_redirects=False
    )

    assert out.status_code == 303
    assert console_status(replay, cookie) == 303
    replay.cookies.set(SESSION_COOKIE, cookie)
    api = replay.get("/api/v1/units", headers={"Accept": "application/json"})
    assert api.status_code == 401


def test_a_planted_portal_session_dies_when_the_official_signs_in(
    app_clients: tuple[TestClient, TestClient], session: Session, deps: Deps
) -> None:
    victim, attacker = app_clients
    official_id = make_official(session)
    planted = sessions.start(
        session, kind="official", secret=SECRET.encode(), now=NOW, official_id=official_id
    )
    session.commit()
    victim.cookies.set(SESSION_COOKIE, planted)

    signed_in = portal_sign_in(victim, deps.settings)
    fresh = signed_in.cookies.get(SESSION_COOKIE)

    assert signed_in.status_code == 303
    assert fresh
    assert fresh != planted
    assert portal_status(attacker, planted) == 303
    assert portal_status(attacker, fresh) == 200


def test_a_portal_cookie_replayed_after_sign_out_is_refused(
    app_clients: tuple[TestClient, TestClient], session: Session, deps: Deps
) -> None:
    victim, replay = app_clients
    make_official(session)
    cookie = portal_sign_in(victim, deps.settings).cookies.get(SESSION_COOKIE)
    assert cookie

    out = victim.post(
        "/portal/sign-out", data={"csrf_token": csrf(victim, "/portal")}, follow_redirects=False
    )

    assert out.status_code == 303
    assert portal_status(replay, cookie) == 303
