"""SMTP faults against the real service: the server is down mid-campaign, and the server
refuses 30 % of transactions with 421/451. Afterwards every planned message is delivered (the
server holds each Message-ID) or failed with its reason; a duplicate is allowed only for a
message that was in flight when the server died."""

import time
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine, func, select
from sqlmodel import Session, col

from hygiene.outbox.models import DeliveryAttempt, Message
from hygiene.settings import Settings
from tests.reliability.faults.harness import (
    assert_all_delivered,
    district,
    fleet,
    in_flight,
    record_tally,
    scaled,
    sent_count,
    service_env,
    sink,
    spanning,
    tally,
    wait_settled,
    wait_until,
)


def sent_between(engine: Engine, first: datetime, last: datetime) -> int:
    """Attempts recorded as sent that began from `first` to `last`. Counted from the attempts'
    own start times once delivery settled, so a send finished before the outage but recorded
    during it (a loaded machine) is not counted, and one recorded late is."""
    query = select(func.count()).where(
        col(DeliveryAttempt.outcome) == "sent",
        col(DeliveryAttempt.started_at) >= first,
        col(DeliveryAttempt.started_at) <= last,
    )
    with Session(engine) as session:
        return int(session.execute(query).scalar_one())


def retried(engine: Engine) -> int:
    query = select(func.count()).where(col(DeliveryAttempt.outcome) != "sent")
    with Session(engine) as session:
        return int(session.execute(query).scalar_one())


def test_the_smtp_server_down_mid_campaign_loses_nothing(
    engine: Engine, settings: Settings, tmp_path: Path
) -> None:
    count, outage = scaled(400, 3000), scaled(10, 120)
    planned = district(engine, settings, count)
    started, begun = time.monotonic(), datetime.now(UTC)
    with sink(tmp_path, delay=0.002) as server:
        env = service_env(settings.db_url, tmp_path, server.port)
        with fleet(env, tmp_path) as group:
            wait_until(lambda: sent_count(engine) >= count // 4, timeout=120, what="a quarter sent")
            flight = in_flight(engine)
            server.stop()
            killed_at = datetime.now(UTC)
            flight |= in_flight(engine)
            time.sleep(outage)
            restarted_at = datetime.now(UTC)
            server.start()
            recovery = wait_settled(engine, group, timeout=300, what="delivery after the outage")
    flight |= spanning(engine, killed_at)  # every attempt is recorded once delivery settled
    during = sent_between(engine, killed_at, restarted_at)
    before = sent_between(engine, begun, killed_at)  # the same count sees the sends it should
    result = tally(engine, server)
    assert before >= count // 4, before
    assert during == 0, "attempts begun while the server was down were recorded as sent"
    assert retried(engine) > 0, "the outage should have caused failed attempts"
    assert_all_delivered(result, planned, flight)
    record_tally(
        "smtp-down",
        engine,
        result,
        scale=f"{outage} s outage",
        seconds=time.monotonic() - started,
        bound=len(flight),
        recovery=recovery,
        notes=f"server killed after {count // 4}+ sent, restarted {outage} s later",
    )


def longest_recovery(engine: Engine) -> float:
    """The longest time from a message's first refused attempt to its delivery."""
    first_failure = (
        select(
            col(DeliveryAttempt.message_id).label("mid"),
            func.min(DeliveryAttempt.finished_at).label("failed_at"),
        )
        .where(col(DeliveryAttempt.outcome) != "sent")
        .group_by(col(DeliveryAttempt.message_id))
        .subquery()
    )
    query = select(col(Message.sent_at), first_failure.c.failed_at).join(
        first_failure, first_failure.c.mid == col(Message.id)
    )
    with Session(engine) as session:
        spans = [
            (sent.replace(tzinfo=None) - failed.replace(tzinfo=None)).total_seconds()
            for sent, failed in session.execute(query)
            if sent is not None
        ]
    return max(spans, default=0.0)


def test_an_smtp_server_refusing_30_percent_at_random_loses_and_duplicates_nothing(
    engine: Engine, settings: Settings, tmp_path: Path
) -> None:
    count = scaled(300, 3000)
    planned = district(engine, settings, count)
    started = time.monotonic()
    with sink(tmp_path, fail_rate=0.3) as server:
        env = service_env(settings.db_url, tmp_path, server.port)
        with fleet(env, tmp_path) as group:
            wait_settled(engine, group, timeout=600)
    result = tally(engine, server)
    refusals = retried(engine)
    assert refusals > count * 0.2, f"only {refusals} refused attempts: is the fault injected?"
    assert_all_delivered(result, planned)
    record_tally(
        "smtp-421-451-30pct",
        engine,
        result,
        scale=f"{refusals} refusals",
        seconds=time.monotonic() - started,
        recovery=longest_recovery(engine),
        notes="each transaction refused with probability 0.3 at MAIL, RCPT or end of DATA",
    )
