"""/console/audit draws its chain badge from the background verifications (the same jobs as
/api/v1/audit/verifications): the GET never walks the chain itself, the first view when none is
on record starts a walk, and "Verify now" (CSRF, security role) starts another."""

import threading
import time
from collections.abc import Iterator
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session

from hygiene.audit import jobs as jobs_module
from hygiene.audit.jobs import VerificationJobs
from hygiene.bootstrap import Deps
from hygiene.clock import FixedClock
from hygiene.web.app import create_app
from tests.audit.holding import dead_walk, hold_verifier
from tests.audit.test_chain import tamper
from tests.reliability.security_helpers import csrf
from tests.web.staff import sign_in_as

PAGE = "/console/audit"
REFRESH = '<meta http-equiv="refresh"'


def jobs_of(client: TestClient) -> VerificationJobs:
    found: VerificationJobs = client.app.state.verifications  # type: ignore[attr-defined]
    return found


def settled(client: TestClient) -> None:
    """Wait until no verification runs (a few seconds at most on a test chain)."""
    deadline = time.monotonic() + 20
    while (job := jobs_of(client).latest()) is not None and job.status == "running":
        assert time.monotonic() < deadline, "the verification did not finish"
        time.sleep(0.02)


def verified_page(client: TestClient, **params: str) -> str:
    client.get(PAGE)  # the first view starts the verification
    settled(client)
    return client.get(PAGE, params=params).text


@pytest.fixture
def held(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[threading.Event, list[str]]]:
    """The verifier, held until the event is set; the names of the threads it ran in."""
    yield from hold_verifier(monkeypatch)


def test_the_get_returns_while_the_walk_runs_in_the_job_thread(
    client: TestClient, session: Session, held: tuple[threading.Event, list[str]]
) -> None:
    release, threads = held
    sign_in_as(client, session, "security")

    first = client.get(PAGE)  # returns although the verifier is held

    assert first.status_code == 200
    assert "Đang kiểm tra chuỗi…" in first.text
    assert "Chưa kiểm tra lần nào." in first.text
    assert REFRESH in first.text
    assert "disabled" in first.text  # no second walk asked for while one runs
    assert threading.current_thread().name not in threads
    again = client.get(PAGE, params={"offset": "0"})
    assert "Đang kiểm tra chuỗi…" in again.text
    release.set()
    settled(client)
    done = client.get(PAGE).text
    assert threads == ["audit-verify"]  # one walk, in the job's thread, for three views
    assert "Chuỗi đã kiểm tra đến #" in done
    assert REFRESH not in done
    assert "Chưa kiểm tra lần nào" not in done


@pytest.mark.parametrize(
    ("lang", "verified", "at"),
    [("vi", "Chuỗi đã kiểm tra đến #2", "Kiểm tra xong lúc 02/03/2026 10:00"),
     ("en", "Chain verified up to #2", "Verified at 02/03/2026 10:00")],
)  # fmt: skip
def test_after_a_job_the_badge_shows_its_verdict_and_when(
    client: TestClient, session: Session, lang: str, verified: str, at: str
) -> None:
    sign_in_as(client, session, "security")

    page = verified_page(client, lang=lang)

    assert verified in page
    assert at in page  # the job's end, in the configured zone (UTC+7)
    assert REFRESH not in page


@pytest.mark.parametrize(
    ("lang", "broken"),
    [("vi", "Chuỗi bị phá vỡ tại #1 (đúng đến #0): mã băm không khớp"),
     ("en", "Chain broken at #1 (verified up to #0): the hash does not match")],
)  # fmt: skip
def test_a_tampered_row_shows_broken_with_its_reason(
    client: TestClient, session: Session, engine: Engine, lang: str, broken: str
) -> None:
    sign_in_as(client, session, "security")
    tamper(engine, "UPDATE audit_event SET subject = 'x' WHERE seq = 1")

    assert broken in verified_page(client, lang=lang)


def test_verify_now_starts_a_walk_and_goes_back_with_the_filters(
    client: TestClient, session: Session
) -> None:
    sign_in_as(client, session, "security")
    verified_page(client)
    before = jobs_of(client).latest()
    token = csrf(client, PAGE)

    answer = client.post(
        f"{PAGE}/verify?action=console_user.&since=01/03/2026&offset=50&ok=x",
        data={"csrf_token": token},
        follow_redirects=False,
    )

    assert answer.status_code == 303
    assert (
        answer.headers["location"] == f"{PAGE}?action=console_user.&since=01%2F03%2F2026&offset=50"
    )
    after = jobs_of(client).latest()
    assert before is not None
    assert after is not None
    assert after.id == before.id + 1
    settled(client)
    assert "Verify now" in client.get(PAGE, params={"lang": "en"}).text


def test_verify_now_needs_the_csrf_token_and_the_security_role(
    client: TestClient, session: Session
) -> None:
    sign_in_as(client, session, "security")
    verified_page(client)
    started = jobs_of(client).latest()

    assert client.post(f"{PAGE}/verify", data={"csrf_token": "x"}).status_code == 403
    assert client.post(f"{PAGE}/verify").status_code == 403
    sign_in_as(client, session, "admin")
    token = csrf(client, "/console")
    assert client.post(f"{PAGE}/verify", data={"csrf_token": token}).status_code == 403
    assert jobs_of(client).latest() == started  # none of them started a walk


def test_the_app_waits_for_a_running_walk_when_it_shuts_down(
    deps: Deps, session: Session, held: tuple[threading.Event, list[str]]
) -> None:
    release, _ = held
    with TestClient(create_app(deps)) as own:
        sign_in_as(own, session, "security")
        assert "Đang kiểm tra chuỗi…" in own.get(PAGE).text
        threading.Timer(0.3, release.set).start()
    job = jobs_of(own).latest()

    assert job is not None
    assert job.status == "done"  # the shutdown waited: no walk left on a disposed engine


def test_a_walk_abandoned_by_a_dead_process_is_replaced_by_the_next_view(
    client: TestClient, session: Session, engine: Engine, clock: FixedClock
) -> None:
    sign_in_as(client, session, "security")
    dead = dead_walk(engine, clock)
    assert "Đang kiểm tra chuỗi…" in client.get(PAGE).text  # its heartbeat is still recent
    clock.advance(jobs_module.STALE + timedelta(seconds=1))

    page = verified_page(client)

    latest = jobs_of(client).latest()
    closed = jobs_of(client).get(dead)
    assert latest is not None
    assert closed is not None
    assert latest.id != dead
    assert (latest.status, closed.status) == ("done", "error")
    assert "Chuỗi đã kiểm tra đến #" in page
