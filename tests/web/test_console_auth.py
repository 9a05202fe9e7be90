import re

import httpx2
from fastapi.testclient import TestClient
from sqlmodel import Session

from hygiene.users import service as users
from tests.conftest import NOW, SECRET

PASSWORD = "xe đạp xanh leo dốc Pha Đin"


def csrf(client: TestClient, path: str) -> str:
    page = client.get(path)
    match = re.search(r'name="csrf_token" value="([0-9a-f]{64})"', page.text)
    assert match, page.text
    return match.group(1)


def make_admin(session: Session, email: str = "it@huyen.example") -> None:
    _, code = users.add_user(
        session, email=email, roles="admin", secret=SECRET.encode(), now=NOW, actor="t"
    )
    users.complete_setup(
        session, email=email, code=code, password=PASSWORD, secret=SECRET.encode(), now=NOW
    )
    session.commit()


def sign_in(client: TestClient, password: str = PASSWORD) -> httpx2.Response:
    token = csrf(client, "/console/login")
    return client.post(
        "/console/login",
        data={"email": "it@huyen.example", "password": password, "csrf_token": token},
        follow_redirects=False,
    )


def test_the_console_redirects_anonymous_visitors_to_sign_in(client: TestClient) -> None:
    response = client.get("/console", follow_redirects=False)

    assert response.status_code == 303
    assert response.headers["location"] == "/console/login?next=/console"


def test_an_admin_signs_in_and_out(client: TestClient, session: Session) -> None:
    make_admin(session)

    signed_in = sign_in(client)
    home = client.get("/console")
    token = csrf(client, "/console")
    out = client.post("/console/logout", data={"csrf_token": token}, follow_redirects=False)
    after = client.get("/console", follow_redirects=False)

    assert signed_in.status_code == 303
    assert "HttpOnly" in signed_in.headers["set-cookie"]
    assert "it@huyen.example" in home.text
    assert out.status_code == 303
    assert after.status_code == 303


def test_a_wrong_password_is_refused_with_a_vietnamese_message(
    client: TestClient, session: Session
) -> None:
    make_admin(session)

    response = sign_in(client, "wrong password")

    assert response.status_code == 401
    assert "Email, mật khẩu hoặc mã xác thực không đúng." in response.text
    assert client.get("/console", follow_redirects=False).status_code == 303


def test_a_form_without_the_csrf_token_is_refused(client: TestClient, session: Session) -> None:
    make_admin(session)
    client.get("/console/login")

    response = client.post(
        "/console/login", data={"email": "it@huyen.example", "password": PASSWORD}
    )

    assert response.status_code == 403
    assert "Biểu mẫu đã hết hạn" in response.text


def test_signing_in_replaces_a_planted_session_cookie(client: TestClient, session: Session) -> None:
    make_admin(session)
    client.cookies.set("hygiene_session", "planted-by-attacker")

    response = sign_in(client)

    assert "planted-by-attacker" not in response.headers["set-cookie"]


def test_first_time_setup_with_the_code(client: TestClient, session: Session) -> None:
    _, code = users.add_user(
        session,
        email="so@huyen.example",
        roles="security",
        secret=SECRET.encode(),
        now=NOW,
        actor="t",
    )
    session.commit()
    token = csrf(client, "/console/setup")

    weak = client.post(
        "/console/setup",
        data={
            "email": "so@huyen.example",
            "code": code,
            "password": "123456789012",
            "csrf_token": token,
        },
    )
    good = client.post(
        "/console/setup",
        data={"email": "so@huyen.example", "code": code, "password": PASSWORD, "csrf_token": token},
    )

    assert weak.status_code == 400
    assert good.status_code == 200
    assert "Đã lưu" in good.text
    assert good.headers["cache-control"] == "no-store"


def test_open_redirects_are_refused(client: TestClient, session: Session) -> None:
    make_admin(session)
    token = csrf(client, "/console/login")

    response = client.post(
        "/console/login",
        data={
            "email": "it@huyen.example",
            "password": PASSWORD,
            "csrf_token": token,
            "next": "//evil.example/x",
        },
        follow_redirects=False,
    )

    assert response.headers["location"] == "/console"


def test_signing_in_and_out_is_audited(client: TestClient, session: Session) -> None:
    from hygiene.audit import service as audit

    make_admin(session)
    sign_in(client)
    client.post("/console/logout", data={"csrf_token": csrf(client, "/console")})
    session.rollback()

    actions = [(e["action"], e["actor"]) for e in audit.export_rows(session)][-2:]

    assert actions == [
        ("console.signed_in", "user:it@huyen.example"),
        ("console.signed_out", "user:it@huyen.example"),
    ]
