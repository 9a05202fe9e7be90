"""Hostile acknowledgement codes (service, JSON API, portal form) and a hostile inbound SMS
webhook: clean refusals, never a 5xx, never an acknowledgement for a wrong code, and a bad
signature is always 401."""

import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from sqlmodel import Session, func, select

from hygiene.acks import service as acks
from hygiene.acks.models import Acknowledgement
from hygiene.bootstrap import Deps
from hygiene.errors import HygieneError
from hygiene.runtime import Runtime
from hygiene.settings import Settings
from hygiene.web.app import create_app
from tests.acks.builders import sent_message
from tests.conftest import NOW, SECRET
from tests.reliability.hostile_helpers import INBOUND_SECRET, signature, with_inbound_secret
from tests.web.portal_helpers import make_official
from tests.web.test_console_auth import csrf

FUZZ = settings(
    max_examples=40,
    deadline=None,
    database=None,
    derandomize=True,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],  # no shrinking: bounded time
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
SMS = "/api/v1/inbound/sms"
# Near misses of a real code, plus anything at all.
typed_codes = st.one_of(
    st.text(max_size=80),
    st.text(alphabet="0123456789ABCDEFGHJKMNPQRSTVWXYZ-abcdefghijklmnopqrstuvwxyz ", max_size=12),
    st.sampled_from(["", " ", "-", "HYG", "0000-0000", "\x00", "' OR 1=1 --", "%s%s%n", "\u202e"]),
)


def acknowledgements(session: Session) -> int:
    session.rollback()  # see what the app committed
    count = session.exec(select(func.count()).select_from(Acknowledgement)).one()
    session.rollback()  # SQLite: do not hold the database while the app writes
    return count


@pytest.fixture
def real_code(session: Session) -> str:
    _, code = sent_message(session, make_official(session))
    session.commit()
    return code


def _is_the_real_code(typed: str, code: str) -> bool:
    normal = "".join(typed.split()).replace("-", "").upper()
    return normal == code.replace("-", "").upper()


@pytest.fixture
def app_client(settings: Settings, deps: Deps) -> Iterator[TestClient]:
    app = create_app(with_inbound_secret(settings, deps), runtime=Runtime(started_at=NOW))
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


@FUZZ
@given(typed=typed_codes)
def test_the_service_refuses_a_random_code_cleanly(
    session: Session, deps: Deps, real_code: str, typed: str
) -> None:
    if _is_the_real_code(typed, real_code):
        return
    with pytest.raises(HygieneError):
        acks.acknowledge(
            session,
            typed=typed,
            how="portal",
            actor=None,
            now=NOW,
            secret=SECRET.encode(),
            zone=deps.settings.zone,
        )
    assert acknowledgements(session) == 0


@FUZZ
@given(body=st.one_of(st.builds(lambda code: {"code": code}, typed_codes), st.from_type(object)))
def test_the_api_answers_a_random_code_with_a_clean_4xx(
    app_client: TestClient, session: Session, real_code: str, body: Any
) -> None:
    if isinstance(body, dict) and _is_the_real_code(str(body.get("code")), real_code):
        return
    try:
        content = json.dumps(body).encode()
    except (TypeError, ValueError):
        content = repr(body).encode()

    response = app_client.post(
        "/api/v1/acks", content=content, headers={"Content-Type": "application/json"}
    )

    assert 400 <= response.status_code < 500, response.text
    assert "error" in response.json() or "detail" in response.json()
    assert acknowledgements(session) == 0


@FUZZ
@given(typed=typed_codes)
def test_the_portal_form_answers_a_random_code_without_5xx(
    app_client: TestClient, session: Session, real_code: str, typed: str
) -> None:
    if _is_the_real_code(typed, real_code):
        return
    token = csrf(app_client, "/portal/code")

    response = app_client.post("/portal/code", data={"code": typed, "csrf_token": token})

    assert response.status_code < 500
    assert acknowledgements(session) == 0


@FUZZ
@given(
    body=st.binary(max_size=512),
    header=st.one_of(
        st.none(),
        st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=80),
        st.sampled_from(["sha256=", "sha256=" + "0" * 64, "0" * 64]),
    ),
    content_type=st.sampled_from(["application/json", "application/x-www-form-urlencoded"]),
)
def test_a_forged_or_missing_signature_is_always_401(
    app_client: TestClient, session: Session, body: bytes, header: str | None, content_type: str
) -> None:
    headers = {"Content-Type": content_type}
    if header is not None:
        headers["X-Hygiene-Signature"] = header.strip()

    response = app_client.post(SMS, content=body, headers=headers)

    assert response.status_code == 401
    assert acknowledgements(session) == 0


@FUZZ
@given(body=st.binary(max_size=512), wrong_secret=st.text(min_size=1, max_size=40))
def test_a_signature_with_another_secret_is_401(
    app_client: TestClient, session: Session, body: bytes, wrong_secret: str
) -> None:
    if wrong_secret == INBOUND_SECRET:
        return

    response = app_client.post(
        SMS, content=body, headers={"X-Hygiene-Signature": signature(body, wrong_secret)}
    )

    assert response.status_code == 401


random_sms_bodies = st.one_of(
    st.binary(max_size=512),
    st.builds(
        lambda sender, text: json.dumps({"from": sender, "text": text}).encode(),
        st.one_of(st.text(max_size=30), st.just("0912345678")),
        typed_codes,
    ),
    st.dictionaries(st.text(max_size=10), st.from_type(object), max_size=4).map(
        lambda d: json.dumps(d, default=repr).encode()
    ),
)


@FUZZ
@given(body=random_sms_bodies, content_type=st.sampled_from(["application/json", "text/plain"]))
def test_a_validly_signed_random_body_never_fails_the_server(
    app_client: TestClient, session: Session, real_code: str, body: bytes, content_type: str
) -> None:
    if real_code.replace("-", "").encode() in body.upper().replace(b"-", b""):
        return

    response = app_client.post(
        SMS,
        content=body,
        headers={"X-Hygiene-Signature": signature(body), "Content-Type": content_type},
    )

    assert response.status_code in {200, 422}, response.text
    if response.status_code == 200:
        assert response.json()["ok"] is False
    assert acknowledgements(session) == 0
