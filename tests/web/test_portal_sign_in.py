"""Portal sign-in with a one-time code sent through the outbox; no enumeration; new session."""

from pathlib import Path

import httpx2
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from hygiene.audit.models import AuditEvent
from hygiene.bootstrap import Deps, build_deps
from hygiene.channels.base import Channel
from hygiene.channels.memory import MemoryChannel
from hygiene.portal.models import PortalCode
from hygiene.settings import Settings
from hygiene.web.app import create_app
from tests.web.portal_helpers import (
    CODE,
    ask_for_code,
    make_official,
    outbox_files,
    read_sign_in_code,
    sign_in,
)
from tests.web.test_console_auth import csrf


def test_an_official_signs_in_with_the_code_sent_to_the_outbox(
    client: TestClient, session: Session, settings: Settings
) -> None:
    make_official(session)

    response = sign_in(client, settings)
    home = client.get("/portal")

    assert response.status_code == 303
    assert response.headers["location"] == "/portal"
    assert "HttpOnly" in response.headers["set-cookie"]
    assert "samesite=lax" in response.headers["set-cookie"].lower()
    assert "Lò Thị Hoa" in home.text
    assert "Email công vụ" in home.text


def test_the_sign_in_message_has_the_phrase_no_link_and_no_password_request(
    client: TestClient, session: Session, settings: Settings
) -> None:
    make_official(session)

    ask_for_code(client, "CB001@xa.example")
    text = outbox_files(settings)[0].read_bytes().decode("utf-8", "replace")

    assert len(outbox_files(settings)) == 1
    assert "http" not in text.replace("Content-Transfer-Encoding", "")
    assert read_sign_in_code(settings)


def test_the_answer_is_the_same_for_an_unknown_identifier(
    client: TestClient, session: Session, settings: Settings
) -> None:
    make_official(session)

    known = ask_for_code(client, "CB001")
    unknown = ask_for_code(client, "KHONG-CO")

    assert known.status_code == unknown.status_code == 200
    assert "Nếu thông tin trên khớp" in unknown.text
    assert known.text.replace("CB001", "X") == unknown.text.replace("KHONG-CO", "X")
    assert len(outbox_files(settings)) == 1


def test_a_phone_number_in_local_format_finds_the_official(
    client: TestClient, session: Session, settings: Settings
) -> None:
    make_official(session)

    ask_for_code(client, "0912 345 678")

    assert len(outbox_files(settings)) == 1


def test_a_wrong_code_is_refused_and_the_code_dies_after_five_tries(
    client: TestClient, session: Session, settings: Settings
) -> None:
    make_official(session)
    ask_for_code(client, "CB001")
    good = read_sign_in_code(settings)
    token = csrf(client, "/portal/sign-in")

    def attempt(code: str) -> httpx2.Response:
        return client.post(
            "/portal/sign-in/code",
            data={"identifier": "CB001", "code": code, "csrf_token": token},
            follow_redirects=False,
        )

    wrong = [attempt("AAAA-AAAA") for _ in range(5)]
    late = attempt(good)

    assert all(r.status_code == 400 for r in wrong)
    assert "Mã đăng nhập không đúng hoặc đã hết hạn" in wrong[0].text
    assert late.status_code == 400


def test_only_a_keyed_hash_of_the_code_is_stored(
    client: TestClient, session: Session, settings: Settings
) -> None:
    make_official(session)
    ask_for_code(client, "CB001")
    code = read_sign_in_code(settings)

    row = session.exec(select(PortalCode)).one()

    assert code.replace("-", "") not in row.code_hmac
    assert len(row.code_hmac) == 64


def test_signing_in_starts_a_new_session_and_is_audited(
    client: TestClient, session: Session, settings: Settings
) -> None:
    make_official(session)
    client.cookies.set("hygiene_session", "planted-by-attacker")

    response = sign_in(client, settings)
    actions = session.exec(select(AuditEvent.action)).all()

    assert "planted-by-attacker" not in response.headers["set-cookie"]
    assert "portal.signed_in" in actions


def test_sign_in_attempts_are_limited_per_client(
    client: TestClient, session: Session, settings: Settings
) -> None:
    make_official(session)

    answers = [ask_for_code(client, f"X{i}") for i in range(11)]

    assert answers[-1].status_code == 429
    assert "Quá nhiều lần thử" in answers[-1].text


def test_the_portal_redirects_anonymous_visitors_to_sign_in(client: TestClient) -> None:
    response = client.get("/portal/phrase", follow_redirects=False)

    assert response.status_code == 303
    assert response.headers["location"] == "/portal/sign-in?next=/portal/phrase"


def test_signing_out_ends_the_session(
    client: TestClient, session: Session, settings: Settings
) -> None:
    make_official(session)
    sign_in(client, settings)
    token = csrf(client, "/portal")

    client.post("/portal/sign-out", data={"csrf_token": token}, follow_redirects=False)

    assert client.get("/portal/phrase", follow_redirects=False).status_code == 303


def test_the_code_goes_through_the_officials_preferred_channel(
    deps: Deps, session: Session, settings: Settings
) -> None:
    make_official(session)
    email = MemoryChannel("smtp")
    channels: dict[str, Channel] = {"file": MemoryChannel("file"), "smtp": email}
    app_deps = build_deps(settings, clock=deps.clock, engine=deps.engine, channels=lambda: channels)
    with TestClient(create_app(app_deps)) as client:
        ask_for_code(client, "CB001")
    [sent] = email.sent

    assert sent.to == "cb001@xa.example"
    assert CODE.search(sent.text)
    assert not CODE.search(sent.subject)
    assert CODE.search(sent.text)
    assert "«hoa ban trắng»" in sent.text
    assert "không bao giờ hỏi mật khẩu" in sent.text
    assert "http" not in sent.text
    assert outbox_files(settings) == []


def test_the_portal_speaks_english_too(client: TestClient) -> None:
    page = client.get("/portal/report?lang=en")

    assert "Keep the evidence" in page.text
    assert '<html lang="en">' in page.text


def test_codes_sent_to_one_official_are_limited_whatever_the_spelling(
    client: TestClient, session: Session, settings: Settings
) -> None:
    make_official(session)

    answers = [ask_for_code(client, who) for who in ["CB001", "cb001", "0912345678", "CB001 "]]

    assert len(outbox_files(settings)) == 3
    assert {a.status_code for a in answers} == {200}


def test_the_sign_in_message_is_overridable_like_a_reminder(
    deps: Deps, session: Session, settings: Settings, tmp_path: Path
) -> None:
    make_official(session)
    folder = tmp_path / "templates" / "vi" / "portal_sign_in"
    folder.mkdir(parents=True)
    (folder / "subject.txt").write_text("Mã đăng nhập của huyện Mường Chà\n", "utf-8")
    email = MemoryChannel("smtp")
    overrides = settings.messages.model_copy(update={"templates_dir": folder.parents[1]})
    configured = settings.model_copy(update={"messages": overrides})
    app_deps = build_deps(
        configured, clock=deps.clock, engine=deps.engine, channels=lambda: {"smtp": email}
    )
    with TestClient(create_app(app_deps)) as client:
        ask_for_code(client, "CB001")
    [sent] = email.sent

    assert sent.subject == "Mã đăng nhập của huyện Mường Chà"
    assert CODE.search(sent.text)  # the packaged body, where nothing was overridden
