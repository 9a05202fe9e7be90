"""Failed console sign-ins slow down per (account, client) with increasing delays instead of
locking the account for everyone (issue 13, item 7): an attacker's client waits longer after
each failure, while the security officer on another client signs in at once."""

from collections.abc import Iterator
from datetime import timedelta

import httpx2
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session

from hygiene.bootstrap import Deps
from hygiene.clock import FixedClock
from hygiene.runtime import Runtime
from hygiene.web.app import create_app
from hygiene.web.console.auth import SIGN_IN_BACKOFF
from tests.reliability.security_helpers import csrf
from tests.web.staff import SECURITY_EMAIL, make_user
from tests.web.test_console_auth import PASSWORD

WRONG = "đoán bừa mật khẩu"
SLOW = "Hãy chờ {} giây rồi thử lại"


@pytest.fixture
def app(deps: Deps) -> FastAPI:
    return create_app(deps, runtime=Runtime(started_at=deps.clock.now()))


@pytest.fixture
def attacker(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, client=("203.0.113.66", 40000)) as c:
        yield c


@pytest.fixture
def officer(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, client=("10.1.2.3", 50000)) as c:
        yield c


def clock(deps: Deps) -> FixedClock:
    assert isinstance(deps.clock, FixedClock)
    return deps.clock


def sign_in(client: TestClient, password: str, email: str = SECURITY_EMAIL) -> httpx2.Response:
    token = csrf(client, "/console/login")
    return client.post(
        "/console/login",
        data={"email": email, "password": password, "csrf_token": token},
        follow_redirects=False,
    )


def test_wrong_passwords_from_anywhere_do_not_lock_the_officer_out(
    app: FastAPI, attacker: TestClient, officer: TestClient, session: Session
) -> None:
    make_user(session, SECURITY_EMAIL, "security")
    tries = [sign_in(attacker, WRONG) for _ in range(5)]
    for n in range(10):  # and from ten other addresses, once each
        with TestClient(app, client=(f"198.51.100.{n}", 40000)) as elsewhere:
            tries.append(sign_in(elsewhere, WRONG))

    own = sign_in(officer, PASSWORD)

    assert [t.status_code for t in tries] == [401, 401, 401, 401, 429] + [401] * 10
    assert own.status_code == 303


def test_the_attackers_client_waits_longer_after_each_failure(
    attacker: TestClient, session: Session, deps: Deps
) -> None:
    make_user(session, SECURITY_EMAIL, "security")
    free = [sign_in(attacker, WRONG) for _ in range(SIGN_IN_BACKOFF.free + 1)]
    waits = []
    for seconds in (5, 10, 20):
        waits.append(sign_in(attacker, WRONG))  # too early: refused, no password checked
        clock(deps).advance(timedelta(seconds=seconds - 1))
        waits.append(sign_in(attacker, PASSWORD))  # still too early, even with the password
        clock(deps).advance(timedelta(seconds=1))
        waits.append(sign_in(attacker, WRONG))  # allowed again: one more failure

    assert [r.status_code for r in free] == [401] * (SIGN_IN_BACKOFF.free + 1)
    assert [r.status_code for r in waits] == [429, 429, 401] * 3
    assert SLOW.format(5) in waits[0].text
    assert SLOW.format(10) in waits[3].text
    assert SLOW.format(20) in waits[6].text
    assert SLOW.format(1) in waits[1].text


def test_the_delay_grows_to_its_cap_and_a_success_clears_it(
    attacker: TestClient, session: Session, deps: Deps
) -> None:
    make_user(session, SECURITY_EMAIL, "security")
    for failures in range(1, 9):
        assert sign_in(attacker, WRONG).status_code == 401
        clock(deps).advance(SIGN_IN_BACKOFF.delay(failures))
    clock(deps).advance(timedelta(minutes=10))  # the per-IP window passes too

    signed_in = sign_in(attacker, PASSWORD)
    again = sign_in(attacker, WRONG)

    assert SIGN_IN_BACKOFF.delay(30) == timedelta(minutes=15)
    assert signed_in.status_code == 303
    assert again.status_code == 401  # the count started over


def test_an_unknown_email_is_slowed_down_the_same_way(
    attacker: TestClient, session: Session
) -> None:
    make_user(session, SECURITY_EMAIL, "security")
    known = [sign_in(attacker, WRONG).status_code for _ in range(5)]
    unknown = [sign_in(attacker, WRONG, "khong-co@huyen.example") for _ in range(5)]

    assert known == [r.status_code for r in unknown] == [401, 401, 401, 401, 429]
    assert SLOW.format(5) in unknown[-1].text


def test_the_slow_down_message_is_in_english_too(attacker: TestClient, session: Session) -> None:
    for _ in range(4):
        sign_in(attacker, WRONG)
    attacker.cookies.set("hygiene_lang", "en")

    refused = sign_in(attacker, WRONG)

    assert refused.status_code == 429
    assert "Wait 5 seconds" in refused.text
