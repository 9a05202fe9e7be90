"""A 24-hour SMTP outage, with time compressed by configuration: the production retry schedule
(backoff 30 s doubling up to 6 h, 8 attempts: hygiene.settings.Delivery's defaults) divided by
the same factor as the outage, so the outage is as long against the schedule as 24 hours are
against the real one. The server is down when the campaign starts and comes back after the
outage. The schedule spends its 8 attempts in about an hour; an outage that counted as 8
failures per message would leave the campaign dead. Because a batch whose every send fails
transiently against the same channel counts as the channel being down (no attempt spent), the
outage ends with 0 dead and every message delivered exactly once.

CI scale: 24 h in 40 s (÷ 2,160), 300 messages. Full scale: 24 h in 4 min (÷ 360), 3,000.
"""

import time
from pathlib import Path

from sqlalchemy import Engine, func, select
from sqlmodel import Session, col

from hygiene.outbox.models import DeliveryAttempt, Message
from hygiene.settings import Delivery, Settings
from tests.reliability.faults.harness import (
    assert_all_delivered,
    district,
    fleet,
    record_tally,
    scaled,
    sent_count,
    service_env,
    sink,
    statuses,
    tally,
    wait_settled,
)

DAY = 24 * 3600.0


def compressed(factor: float) -> dict[str, str]:
    """The production retry schedule, `factor` times faster (the tick and the lease stay at the
    harness's 1 s and 10 s: they decide how soon a retry runs, not how many attempts it spends)."""
    defaults = Delivery()
    return {
        "HYGIENE_DELIVERY__BACKOFF_BASE_SECONDS": f"{defaults.backoff_base_seconds / factor:.6f}",
        "HYGIENE_DELIVERY__BACKOFF_MAX_SECONDS": f"{defaults.backoff_max_seconds / factor:.6f}",
        "HYGIENE_DELIVERY__MAX_ATTEMPTS": str(defaults.max_attempts),
    }


def schedule_seconds(factor: float) -> float:
    """How long the compressed schedule takes to spend every attempt (no jitter: the longest)."""
    d = Delivery()
    waits = [min(d.backoff_max_seconds, d.backoff_base_seconds * 2 ** (n - 1)) for n in range(1, 8)]
    return float(sum(waits)) / factor


def refused(engine: Engine) -> int:
    """Attempts the down server refused (once a batch counts the channel down, the rest of the
    batch is deferred without trying, so this is a few per batch, not one per message)."""
    query = select(func.count()).where(col(DeliveryAttempt.outcome) != "sent")
    with Session(engine) as session:
        return int(session.execute(query).scalar_one())


def most_attempts(engine: Engine) -> int:
    with Session(engine) as session:
        return int(session.execute(select(func.max(Message.attempts))).scalar_one() or 0)


def test_a_24_hour_smtp_outage_leaves_nothing_dead(
    engine: Engine, settings: Settings, tmp_path: Path
) -> None:
    count, outage = scaled(300, 3000), scaled(40, 240)
    factor = DAY / outage
    assert schedule_seconds(factor) * 10 < outage, "the outage must outlast the retry schedule"
    planned = district(engine, settings, count)
    started = time.monotonic()
    dead_seen = 0
    with sink(tmp_path, delay=0.002) as server:
        server.stop()  # down from the start: its port is known, nothing listens on it
        env = service_env(settings.db_url, tmp_path, server.port, **compressed(factor))
        with fleet(env, tmp_path) as group:
            end = time.monotonic() + outage
            while time.monotonic() < end:
                dead_seen = max(dead_seen, statuses(engine)["dead"])
                time.sleep(1)
            during = sent_count(engine)
            server.start()
            recovery = wait_settled(
                engine, group, timeout=scaled(120, 600), what="delivery after it"
            )
    result = tally(engine, server)
    refusals = refused(engine)
    assert during == 0, "messages were 'sent' while the server was down"
    assert dead_seen == 0, f"{dead_seen} message(s) went dead during the outage"
    assert refusals > 0, "no attempt was refused: was the server down?"
    assert most_attempts(engine) < Delivery().max_attempts
    assert_all_delivered(result, planned, why="24 h outage")
    assert result.duplicated == 0
    record_tally(
        "smtp-outage-24h",
        engine,
        result,
        scale=f"24 h in {outage} s (÷ {factor:,.0f})",
        seconds=time.monotonic() - started,
        recovery=recovery,
        notes=(
            f"SMTP server down from the start; production backoff 30 s–6 h and 8 "
            f"attempts ÷ {factor:,.0f}; {refusals} refused attempts, "
            f"0 dead; recovery = server up → all delivered"
        ),
    )
