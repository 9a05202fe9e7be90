"""Console users for web tests: created through users.add_user / complete_setup, then signed in
with a server-side session cookie (users.sessions.start) or given an API token."""

from fastapi.testclient import TestClient
from sqlmodel import Session

from hygiene.db import row_id
from hygiene.users import service as users
from hygiene.users import sessions
from hygiene.web.auth import SESSION_COOKIE
from tests.conftest import NOW, SECRET
from tests.web.test_console_auth import PASSWORD

ADMIN_EMAIL, SECURITY_EMAIL = "it@huyen.example", "an-ninh@huyen.example"


def make_user(session: Session, email: str, roles: str) -> int:
    _, code = users.add_user(
        session, email=email, roles=roles, secret=SECRET.encode(), now=NOW, actor="test"
    )
    user = users.complete_setup(
        session, email=email, code=code, password=PASSWORD, secret=SECRET.encode(), now=NOW
    )
    session.commit()
    return row_id(user.id)


def console_cookie(session: Session, user_id: int) -> str:
    token = sessions.start(
        session, kind="console", secret=SECRET.encode(), now=NOW, user_id=user_id
    )
    session.commit()
    return token


def api_token(session: Session, email: str) -> str:
    token = users.issue_token(
        session, email=email, name="test", secret=SECRET.encode(), now=NOW, actor="test"
    )
    session.commit()
    return token


def sign_in_as(client: TestClient, session: Session, roles: str) -> TestClient:
    email = ADMIN_EMAIL if roles == "admin" else SECURITY_EMAIL
    user_id = make_user(session, email, roles)
    client.cookies.set(SESSION_COOKIE, console_cookie(session, user_id))
    return client


def bearer(session: Session, roles: str) -> dict[str, str]:
    email = ADMIN_EMAIL if roles == "admin" else SECURITY_EMAIL
    make_user(session, email, roles)
    return {"Authorization": f"Bearer {api_token(session, email)}"}
