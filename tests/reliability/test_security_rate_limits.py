"""Rate limits end to end: console sign-in, portal sign-in (code request and code entry) and
acknowledgement-code entry (portal form and API) lock out after their limits with the localized
message, and accept again once the lockout is over (the FixedClock in deps is advanced)."""

from collections.abc import Iterator
from datetime import timedelta

import httpx2
import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from hygiene.acks import service as acks
from hygiene.bootstrap import Deps
from hygiene.clock import FixedClock
from hygiene.runtime import Runtime
from hygiene.web.app import create_app
from hygiene.web.console import auth as console_auth
from hygiene.web.portal import signin as portal_signin
from tests.acks.builders import sent_message, wrong_code
from tests.conftest import NOW
from tests.reliability.security_helpers import csrf
from tests.web.portal_helpers import ask_for_code, make_official, read_sign_in_code
from tests.web.staff import ADMIN_EMAIL, make_user
from tests.web.test_console_auth import PASSWORD

TOO_MANY = "Quá nhiều lần thử. Hãy thử lại sau"
ACK_LOCKED = "Nhập sai quá nhiều lần. Việc nhập mã tạm bị khóa đến"


@pytest.fixture
def client(deps: Deps) -> Iterator[TestClient]:
    with TestClient(create_app(deps, runtime=Runtime(started_at=deps.clock.now()))) as c:
        yield c


def fixed(deps: Deps) -> FixedClock:
    assert isinstance(deps.clock, FixedClock)
    return deps.clock


def console_login(client: TestClient, password: str, email: str = ADMIN_EMAIL) -> httpx2.Response:
    return client.post(
        "/console/login",
        data={"email": email, "password": password, "csrf_token": csrf(client, "/console/login")},
        follow_redirects=False,
    )


def enter_code(client: TestClient, code: str) -> httpx2.Response:
    return client.post(
        "/portal/code", data={"code": code, "csrf_token": csrf(client, "/portal/code")}
    )


def test_console_sign_in_locks_out_after_ten_tries_and_unlocks_later(
    client: TestClient, session: Session, deps: Deps
) -> None:
    make_user(session, ADMIN_EMAIL, "admin")
    limit = console_auth.SIGN_IN_LIMIT.limit
    # Different unknown emails: the per-IP limit, not the per-account lockout, is what trips.
    tries = [console_login(client, "sai", f"x{i}@huyen.example") for i in range(limit)]

    locked = console_login(client, PASSWORD)
    fixed(deps).advance(console_auth.SIGN_IN_LIMIT.lockout + timedelta(seconds=1))
    later = console_login(client, PASSWORD)

    assert {t.status_code for t in tries} == {401}
    assert locked.status_code == 429
    assert TOO_MANY in locked.text
    local = (NOW + console_auth.SIGN_IN_LIMIT.lockout).astimezone(deps.settings.zone)
    assert local.strftime("%H:%M") in locked.text  # shown in HYGIENE_TIMEZONE, not UTC
    assert later.status_code == 303


def test_five_wrong_passwords_slow_their_client_down_not_the_account(
    client: TestClient, session: Session, deps: Deps
) -> None:
    make_user(session, ADMIN_EMAIL, "admin")
    for _ in range(5):
        console_login(client, "sai mật khẩu")

    slowed = console_login(client, PASSWORD)
    with TestClient(client.app, client=("10.9.8.7", 50000)) as elsewhere:
        other_client = console_login(elsewhere, PASSWORD)
    fixed(deps).advance(console_auth.SIGN_IN_BACKOFF.delay(5))
    later = console_login(client, PASSWORD)

    assert slowed.status_code == 429
    assert other_client.status_code == 303
    assert later.status_code == 303


def test_portal_code_requests_lock_out_per_identifier_and_unlock_later(
    client: TestClient, session: Session, deps: Deps
) -> None:
    make_official(session)
    limit = portal_signin.SEND_LIMIT.limit
    asked = [ask_for_code(client, "CB001") for _ in range(limit)]

    locked = ask_for_code(client, "CB001")
    fixed(deps).advance(portal_signin.SEND_LIMIT.lockout + timedelta(seconds=1))
    later = ask_for_code(client, "CB001")

    assert {a.status_code for a in asked} == {200}
    assert locked.status_code == 429
    assert TOO_MANY in locked.text
    assert later.status_code == 200


def test_portal_code_entry_locks_out_per_client_and_unlocks_later(
    client: TestClient, session: Session, deps: Deps
) -> None:
    make_official(session)
    ask_for_code(client, "CB001")

    def verify(code: str) -> httpx2.Response:
        token = csrf(client, "/portal/sign-in")
        return client.post(
            "/portal/sign-in/code",
            data={"identifier": "CB001", "code": code, "csrf_token": token},
            follow_redirects=False,
        )

    # Ask for a fresh code each time the per-code attempts (5) run out: the client limit trips.
    wrong = [verify("AAAA-AAAA") for _ in range(portal_signin.CLIENT_LIMIT.limit - 1)]
    locked = verify("BBBB-BBBB")
    fixed(deps).advance(portal_signin.CLIENT_LIMIT.lockout + timedelta(seconds=1))
    ask_for_code(client, "CB001")
    later = verify(read_sign_in_code(deps.settings))

    assert {w.status_code for w in wrong} == {400}
    assert locked.status_code == 429
    assert TOO_MANY in locked.text
    assert later.status_code == 303


def test_portal_ack_code_entry_locks_out_and_unlocks_later(
    client: TestClient, session: Session, deps: Deps
) -> None:
    _, good = sent_message(
        session, make_official(session), expires=deps.clock.now() + timedelta(days=90)
    )
    session.commit()
    wrong = [enter_code(client, wrong_code(i)) for i in range(acks.CLIENT_LIMIT.limit)]

    locked = enter_code(client, good)
    fixed(deps).advance(acks.CLIENT_LIMIT.lockout + timedelta(seconds=1))
    later = enter_code(client, good)

    assert {w.status_code for w in wrong} == {400}
    assert locked.status_code == 429
    assert ACK_LOCKED in locked.text
    assert later.status_code == 200


def test_api_ack_code_entry_locks_out_and_unlocks_later(
    client: TestClient, session: Session, deps: Deps
) -> None:
    _, good = sent_message(
        session, make_official(session), expires=deps.clock.now() + timedelta(days=90)
    )
    session.commit()
    headers = {"Accept": "application/json", "Accept-Language": "vi"}
    wrong = [
        client.post("/api/v1/acks", json={"code": wrong_code(i)}, headers=headers)
        for i in range(acks.CLIENT_LIMIT.limit)
    ]

    locked = client.post("/api/v1/acks", json={"code": good}, headers=headers)
    fixed(deps).advance(acks.CLIENT_LIMIT.lockout + timedelta(seconds=1))
    later = client.post("/api/v1/acks", json={"code": good}, headers=headers)

    assert {w.status_code for w in wrong} == {400}
    assert locked.status_code == 429
    assert locked.json()["error"] == "ack.locked"
    assert ACK_LOCKED in locked.json()["message"]
    assert later.status_code == 200


def test_one_ack_code_locks_after_five_tries_from_many_clients(
    session: Session, deps: Deps
) -> None:
    target = wrong_code(99)
    now, zone = deps.clock.now(), deps.settings.zone
    for i in range(acks.CODE_LIMIT.limit):
        acks.guard(
            session, client=f"ip:10.0.0.{i}", typed=target, secret=deps.secret, now=now, zone=zone
        )

    with pytest.raises(acks.AckLocked):
        acks.guard(
            session, client="ip:10.0.0.99", typed=target, secret=deps.secret, now=now, zone=zone
        )
