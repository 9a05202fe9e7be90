"""Portal sign-in answers in the same time for a known and an unknown identifier (issue 13):
the request only enqueues, and every answer waits for the same floor
(security.sign_in_answer_ms). Medians over interleaved requests, with a generous bound."""

import statistics
import time
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from hygiene.clock import FixedClock
from hygiene.outbox.models import Message
from hygiene.settings import Settings
from tests.web.portal_helpers import make_official
from tests.web.test_console_auth import csrf

ROUNDS = 8


def _timed(client: TestClient, identifier: str) -> float:
    token = csrf(client, "/portal/sign-in")
    started = time.monotonic()
    answer = client.post("/portal/sign-in", data={"identifier": identifier, "csrf_token": token})
    elapsed = time.monotonic() - started
    assert answer.status_code == 200, answer.text
    return elapsed


def test_known_and_unknown_identifiers_take_the_same_time(
    client: TestClient, session: Session, settings: Settings, clock: FixedClock
) -> None:
    make_official(session)
    known, unknown = [], []
    for _ in range(ROUNDS):
        clock.set(clock.now() + timedelta(hours=1))  # past every per-client and per-code limit
        known.append(_timed(client, "CB001"))
        unknown.append(_timed(client, "KHONG-CO"))
    floor = settings.security.sign_in_answer_ms / 1000
    issued = len(session.exec(select(Message)).all())

    assert issued == ROUNDS  # the known identifier really took the path that issues a code
    assert statistics.median(known) >= floor
    assert statistics.median(unknown) >= floor
    assert abs(statistics.median(known) - statistics.median(unknown)) < 0.1
