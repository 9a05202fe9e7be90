"""CSRF that needs the server's secret (issue 13, items 1 and 2): tokens bound to the session,
pre-sign-in cookies minted and signed by the server, cross-origin writes refused, `__Host-`
cookies over TLS, and no cookie-authenticated writes on the API."""

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from hygiene.inventory.models import Official
from hygiene.web import security
from hygiene.web.security import CSRF_COOKIE
from tests import factories as f
from tests.conftest import SECRET
from tests.reliability.security_helpers import csrf
from tests.web.staff import bearer, sign_in_as

EDIT = "/console/inventory/officials/CB001"
ATTACKER_EMAIL = "ke-gian@evil.example"


@pytest.fixture
def official(session: Session) -> Official:
    row = f.official(session, f.ident(f.unit(session)), "CB001", email="huong@xa.example")
    session.commit()
    return row


def email_of(session: Session) -> str | None:
    session.expire_all()
    return session.exec(select(Official.email).where(Official.employee_id == "CB001")).one()


def edit(client: TestClient, token: str, **headers: str) -> int:
    data = {"csrf_token": token, "full_name": "Nguyễn Thị Hương", "unit": "Phòng Nội vụ",
            "email": ATTACKER_EMAIL, "preferred_channels": "email"}  # fmt: skip
    return client.post(EDIT, data=data, headers=headers, follow_redirects=False).status_code


def test_a_planted_csrf_cookie_and_its_token_do_not_pass_for_a_signed_in_admin(
    client: TestClient, deps: object, session: Session, official: Official
) -> None:
    """The attack of the issue: the attacker gets a cookie and its token from the server, plants
    the cookie in the admin's browser and submits the edit with the token."""
    with TestClient(client.app) as attacker:
        attacker.get("/console/login")
        planted = attacker.cookies[CSRF_COOKIE]
        token = csrf(attacker, "/console/login")
    sign_in_as(client, session, "admin")
    client.cookies.set(CSRF_COOKIE, planted)

    assert edit(client, token) == 403
    assert email_of(session) == "huong@xa.example"


def test_the_admin_own_form_token_still_works(
    client: TestClient, session: Session, official: Official
) -> None:
    sign_in_as(client, session, "admin")

    assert edit(client, csrf(client, EDIT)) == 303
    assert email_of(session) == ATTACKER_EMAIL  # (the admin's own, legitimate edit)


def test_a_csrf_cookie_the_server_did_not_mint_is_replaced(client: TestClient) -> None:
    client.cookies.set(CSRF_COOKIE, "a" * 43)  # what any same-site page could set before
    response = client.get("/console/login")

    fresh = response.cookies.get(CSRF_COOKIE)
    assert fresh
    assert fresh != "a" * 43
    assert security.minted_nonce(SECRET.encode(), fresh) is not None


def test_a_token_made_for_an_unminted_cookie_is_refused(client: TestClient) -> None:
    client.cookies.set(CSRF_COOKIE, "a" * 43)
    forged = security.token_for(b"guess", "browser:" + "a" * 43)

    posted = client.post(
        "/console/login", data={"email": "x@y.example", "password": "p", "csrf_token": forged}
    )
    assert posted.status_code == 403


@pytest.mark.parametrize(
    "headers",
    [
        {"Sec-Fetch-Site": "same-site"},
        {"Sec-Fetch-Site": "cross-site"},
        {"Origin": "http://127.0.0.1:9999"},
        {"Origin": "null"},
    ],
)
def test_a_write_from_another_origin_is_refused_even_with_a_good_token(
    client: TestClient, session: Session, official: Official, headers: dict[str, str]
) -> None:
    sign_in_as(client, session, "admin")

    assert edit(client, csrf(client, EDIT), **headers) == 403
    assert email_of(session) == "huong@xa.example"


def test_a_same_origin_write_passes_the_origin_check(
    client: TestClient, session: Session, official: Official
) -> None:
    sign_in_as(client, session, "admin")
    headers = {"Sec-Fetch-Site": "same-origin", "Origin": "http://testserver"}

    assert edit(client, csrf(client, EDIT), **headers) == 303


def test_over_tls_the_cookies_carry_the_host_prefix(client: TestClient) -> None:
    with TestClient(client.app, base_url="https://testserver") as tls:
        cookie = tls.get("/console/login").headers["set-cookie"]

    assert cookie.startswith("__Host-hygiene_csrf=")
    assert "secure" in cookie.lower()
    assert "domain=" not in cookie.lower()
    assert "path=/" in cookie.lower()


def test_an_api_write_with_the_admin_cookie_is_refused_clearly(
    client: TestClient, session: Session
) -> None:
    sign_in_as(client, session, "admin")
    body = {"employee_id": "CB009", "full_name": "Kẻ Gian", "unit": "Phòng Nội vụ",
            "email": ATTACKER_EMAIL}  # fmt: skip

    refused = client.post("/api/v1/officials", json=body)
    english = client.post("/api/v1/officials", json=body, headers={"Accept-Language": "en"})

    assert refused.status_code == english.status_code == 403
    assert refused.json()["error"] == "auth.api_needs_token"
    assert "Bearer" in refused.json()["message"]
    assert "cookie" in refused.json()["message"]
    assert "token" in english.json()["message"]
    assert client.get("/api/v1/officials").status_code == 200  # reads with the cookie still work
    assert session.exec(select(Official)).all() == []


def test_an_api_write_with_a_bearer_token_works(client: TestClient, session: Session) -> None:
    f.unit(session)
    session.commit()
    body = {"employee_id": "CB009", "full_name": "Lò Văn Đức", "unit": "Phòng Nội vụ",
            "email": "duc@xa.example"}  # fmt: skip

    created = client.post("/api/v1/officials", json=body, headers=bearer(session, "admin"))

    assert created.status_code == 201, created.text
