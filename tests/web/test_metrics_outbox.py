"""/metrics' outbox figures (one pass over the status index) equal the live counts."""

from datetime import timedelta

from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import Engine, func, update
from sqlmodel import Session, col, select

from hygiene import db
from hygiene.bootstrap import Deps
from hygiene.outbox.models import Message
from tests import factories as f

# (status, channel, acknowledged): three channels, the statuses delivery reaches, and an
# acknowledged message that is no longer "sent" (the rate counts sent ones only)
ROWS = [
    ("sent", "email", True), ("sent", "email", False), ("sent", "sms", True),
    ("sent", "sms", False), ("sent", "sms", False), ("pending", None, False),
    ("failed", "email", False), ("failed", "sms", True), ("dead", "zalo", False),
    ("sending", "sms", False),
]  # fmt: skip


def _live(session: Session) -> tuple[dict[tuple[str, str], float], float]:
    counts = session.execute(
        select(Message.status, Message.channel, func.count()).group_by(
            col(Message.status), col(Message.channel)
        )
    )
    sent = session.execute(
        select(func.count(), func.count(col(Message.acknowledged_at))).where(
            col(Message.status) == "sent"
        )
    ).one()
    return {(s, c or ""): float(n) for s, c, n in counts}, (sent[1] / sent[0] if sent[0] else 0.0)


def _scraped(client: TestClient) -> tuple[dict[tuple[str, str], float], float]:
    families = {m.name: m for m in text_string_to_metric_families(client.get("/metrics").text)}
    counts = families["hygiene_messages"].samples
    rate = families["hygiene_ack_rate"].samples[0].value
    return {(s.labels["status"], s.labels["channel"]): s.value for s in counts}, rate


def test_the_message_counts_and_ack_rate_follow_each_change(
    client: TestClient, engine: Engine, deps: Deps
) -> None:
    now = deps.clock.now()
    with db.session_scope(engine) as s:
        official = f.ident(f.official(s, f.ident(f.unit(s)), "CB1"))
        for n, (status, channel, acked) in enumerate(ROWS):
            s.add(Message(
                idempotency_key=f"t:{n}", campaign="rotation", kind="rotation_due",
                official_id=official, planned_on=now.date(), planned_at=now, status=status,
                next_attempt_at=now - timedelta(minutes=n), channel=channel,
                acknowledged_at=now if acked else None, updated_at=now,
            ))  # fmt: skip
    with Session(engine) as s:
        assert _scraped(client) == _live(s)
    assert _scraped(client)[1] == 2 / 5

    with db.session_scope(engine) as s:
        s.execute(update(Message).where(col(Message.status) == "sending").values(status="sent"))
        s.execute(update(Message).where(col(Message.channel) == "sms").values(acknowledged_at=now))
    with Session(engine) as s:
        assert _scraped(client) == _live(s)
    assert _scraped(client)[0][("sent", "sms")] == 4.0
    assert _scraped(client)[1] == 5 / 6
