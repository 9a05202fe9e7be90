"""/console/access (issue 13, item 4): console users deactivated, reactivated and reset, API
tokens and devices revoked from the console, through HTTP. Each action is an audit event, takes
effect on the next request, needs the CSRF token, and is in Vietnamese and English."""

import re

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from hygiene.audit import service as audit
from hygiene.db import row_id
from hygiene.devices import service as devices
from hygiene.users import service as users
from tests import factories as f
from tests.conftest import NOW, SECRET
from tests.reliability.security_helpers import csrf
from tests.web.staff import ADMIN_EMAIL, api_token, make_user, sign_in_as

PAGE = "/console/access"
OTHER = "ke-toan@huyen.example"


def post(client: TestClient, path: str, **headers: str) -> int:
    token = csrf(client, PAGE)
    return client.post(path, data={"csrf_token": token}, headers=headers,
                       follow_redirects=False).status_code  # fmt: skip


def actions(session: Session) -> list[tuple[str, str]]:
    session.expire_all()
    rows = [(e["actor"], e["action"]) for e in audit.export_rows(session)]
    session.rollback()
    return rows


def bearer_works(client: TestClient, token: str) -> int:
    return client.get("/api/v1/units", headers={"Authorization": f"Bearer {token}"}).status_code


@pytest.fixture
def other(session: Session) -> int:
    return make_user(session, OTHER, "admin")


def test_an_admin_deactivates_a_user_and_their_token_dies_at_once(
    client: TestClient, session: Session, other: int
) -> None:
    token = api_token(session, OTHER)
    sign_in_as(client, session, "admin")
    listed = client.get(PAGE)

    done = post(client, f"{PAGE}/users/{other}/deactivate")
    after = client.get(f"{PAGE}?ok=access_deactivated")

    assert listed.status_code == 200
    assert OTHER in listed.text
    assert bearer_works(client, token) == 401
    assert done == 303
    assert "Đã khóa người dùng" in after.text
    assert (f"user:{ADMIN_EMAIL}", "console_user.deactivated") in actions(session)


def test_an_admin_reactivates_and_resets_a_user(
    client: TestClient, session: Session, other: int
) -> None:
    sign_in_as(client, session, "admin")
    post(client, f"{PAGE}/users/{other}/deactivate")

    reactivated = post(client, f"{PAGE}/users/{other}/reactivate")
    reset = client.post(f"{PAGE}/users/{other}/reset", data={"csrf_token": csrf(client, PAGE)})
    code = re.search(r"chỉ hiện lần này: ([0-9A-Z]{4}-[0-9A-Z]{4})", reset.text)
    assert code, reset.text

    assert reactivated == 303
    assert reset.status_code == 200
    assert reset.headers["cache-control"] == "no-store"
    assert code.group(1) not in client.get(PAGE).text  # shown once
    user = users.complete_setup(
        session, email=OTHER, code=code.group(1), password="xe đạp xanh leo dốc Pha Đin",
        secret=SECRET.encode(), now=NOW,
    )  # fmt: skip
    assert user.active
    assert [a for _, a in actions(session)][-3:-1] == [
        "console_user.reactivated", "console_user.reset",
    ]  # fmt: skip


def test_tokens_and_devices_are_revoked_from_the_page(
    client: TestClient, session: Session, other: int
) -> None:
    token = api_token(session, OTHER)
    official = f.official(session, f.ident(f.unit(session)), "CB001")
    device, device_token = devices.add_device(
        session, employee_id=official.employee_id, name="PC-KT-01", secret=SECRET.encode(),
        now=NOW, actor="test",
    )  # fmt: skip
    session.commit()
    sign_in_as(client, session, "security")  # a security officer may take access away
    page = client.get(PAGE)
    ids = re.findall(r'data-token="(\d+)"', page.text)

    revoked = post(client, f"{PAGE}/tokens/{ids[0]}/revoke")
    gone = post(client, f"{PAGE}/devices/{row_id(device.id)}/revoke")
    report = client.post(
        "/api/v1/probe/reports", json={}, headers={"Authorization": f"Bearer {device_token}"}
    )

    assert "PC-KT-01" in page.text
    assert revoked == gone == 303
    assert bearer_works(client, token) == 401
    assert report.status_code == 401
    done = [a for _, a in actions(session)]
    assert "api_token.revoked" in done
    assert "device.revoked" in done


def test_a_security_officer_cannot_give_access_back(
    client: TestClient, session: Session, other: int
) -> None:
    sign_in_as(client, session, "security")

    assert post(client, f"{PAGE}/users/{other}/reactivate") == 403
    assert post(client, f"{PAGE}/users/{other}/reset") == 403


def test_nobody_deactivates_themself_here(client: TestClient, session: Session) -> None:
    sign_in_as(client, session, "admin")
    me = users.by_email(session, ADMIN_EMAIL).id
    session.rollback()  # no read transaction open while the app writes (SQLite)

    refused = client.post(f"{PAGE}/users/{me}/deactivate", data={"csrf_token": csrf(client, PAGE)})

    assert refused.status_code == 400
    assert "Không thể tự khóa" in refused.text
    session.expire_all()
    assert users.by_email(session, ADMIN_EMAIL).active


def test_every_action_needs_the_csrf_token(
    client: TestClient, session: Session, other: int
) -> None:
    sign_in_as(client, session, "admin")

    refused = client.post(f"{PAGE}/users/{other}/deactivate", data={}, follow_redirects=False)

    assert refused.status_code == 403
    assert users.by_email(session, OTHER).active


def test_the_page_is_in_english_too(client: TestClient, session: Session) -> None:
    sign_in_as(client, session, "admin")

    page = client.get(f"{PAGE}?lang=en")

    assert "Console users" in page.text
    assert "Registered devices" in page.text
