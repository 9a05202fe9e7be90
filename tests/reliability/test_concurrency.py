"""Concurrency: 2 and 4 real `hygiene serve --no-web` processes drain one campaign from one
PostgreSQL database (claims with FOR UPDATE SKIP LOCKED, each instance its own worker name).
Afterwards the SMTP server holds every Message-ID exactly once, the database has exactly one
"sent" delivery_attempt per message, and every instance sent a real share of the campaign (so
the test proves concurrent delivery, not one instance doing all the work).

CI scale is 5,000 messages; RELIABILITY_SCALE=full runs the 50,000-message campaign.
"""

import logging
import time
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from sqlmodel import Session, col

from hygiene.outbox.models import DeliveryAttempt
from hygiene.settings import Settings
from tests.reliability.faults.harness import (
    assert_all_delivered,
    district,
    fleet,
    record_tally,
    scaled,
    sent_by_worker,
    service_env,
    sink,
    tail,
    tally,
    wait_settled,
)

log = logging.getLogger(__name__)
MIN_SHARE = 0.05  # each instance must have sent at least this fraction of the campaign


def sent_per_message_over_one(engine: Engine) -> list[tuple[int, int]]:
    """(message id, number of "sent" attempts) for every message sent more than once."""
    query = (
        select(col(DeliveryAttempt.message_id), func.count())
        .where(col(DeliveryAttempt.outcome) == "sent")
        .group_by(col(DeliveryAttempt.message_id))
        .having(func.count() > 1)
        .order_by(col(DeliveryAttempt.message_id))
    )
    with Session(engine) as session:
        return [(int(mid), int(n)) for mid, n in session.execute(query)]


def messages_with_a_sent_attempt(engine: Engine) -> int:
    query = select(func.count(func.distinct(DeliveryAttempt.message_id))).where(
        col(DeliveryAttempt.outcome) == "sent"
    )
    with Session(engine) as session:
        return int(session.execute(query).scalar_one())


def attempts_by_outcome(engine: Engine) -> dict[str, int]:
    query = select(col(DeliveryAttempt.outcome), func.count()).group_by(
        col(DeliveryAttempt.outcome)
    )
    with Session(engine) as session:
        return {outcome: int(n) for outcome, n in session.execute(query)}


@pytest.mark.postgres
@pytest.mark.parametrize("instances", [2, 4])
def test_concurrent_instances_deliver_everything_exactly_once(
    engine: Engine, settings: Settings, tmp_path: Path, instances: int
) -> None:
    count = scaled(5000, 50_000)
    seeding = time.monotonic()
    planned = district(engine, settings, count)
    seeded_in = time.monotonic() - seeding
    timeout = scaled(600, 3600)
    with sink(tmp_path) as server:
        env = service_env(settings.db_url, tmp_path, server.port)
        started = time.monotonic()
        with fleet(env, tmp_path, count=instances) as group:
            wait_settled(engine, group, timeout=timeout)
            elapsed = time.monotonic() - started
            logs = group.logs()
    result = tally(engine, server)
    twice = sent_per_message_over_one(engine)
    shares = sent_by_worker(engine)
    outcomes = attempts_by_outcome(engine)
    rate = planned / elapsed

    assert planned == count
    assert_all_delivered(result, planned)
    assert twice == [], f"messages with more than one 'sent' attempt: {twice[:20]}"
    assert messages_with_a_sent_attempt(engine) == count
    assert "Traceback" not in logs, tail(logs)
    assert len(shares) == instances, f"expected {instances} workers to send, got {shares}"
    smallest = min(shares.values())
    assert smallest >= MIN_SHARE * count, f"an instance sent too little to prove sharing: {shares}"

    share_text = " / ".join(f"{n / count:.0%}" for n in sorted(shares.values(), reverse=True))
    retried = sum(n for outcome, n in outcomes.items() if outcome != "sent")
    log.warning(
        "%d instances: %d messages in %.1f s (%.0f msg/s); seeded and planned in %.1f s; "
        "shares %s; attempts %s",
        instances,
        count,
        elapsed,
        rate,
        seeded_in,
        share_text,
        outcomes,
    )
    record_tally(
        f"concurrency-{instances}-instances",
        engine,
        result,
        scale=f"{instances} instances",
        seconds=elapsed,
        notes=(
            f"{rate:.0f} msg/s; per-instance shares {share_text}; "
            f"{retried} non-sent attempts; no fault injected (recovery n/a)"
        ),
    )
