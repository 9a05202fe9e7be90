"""Per-channel rate limits, counted from delivery_attempt so every instance sees the same count.

Two instances checking at the same moment may each send one batch past a limit; limits are a
courtesy to providers (and their quotas), not a security boundary, so that is accepted.
"""

from collections.abc import Iterable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session

from hygiene.outbox import service as outbox
from hygiene.settings import Delivery


def rate_limited(
    session: Session,
    *,
    channels: Iterable[str],
    delivery: Delivery,
    zone: ZoneInfo,
    now: datetime,
) -> set[str]:
    """The channels at their per-minute or per-day (local calendar day) limit right now."""
    midnight = now.astimezone(zone).replace(hour=0, minute=0, second=0, microsecond=0)
    minute_ago = now - timedelta(minutes=1)
    limited = set()
    for name in channels:
        per_minute = delivery.rate_per_minute.get(name)
        per_day = delivery.rate_per_day.get(name)
        if (per_minute and outbox.sent_since(session, name, minute_ago) >= per_minute) or (
            per_day and outbox.sent_since(session, name, midnight) >= per_day
        ):
            limited.add(name)
    return limited


def remaining(
    session: Session,
    *,
    channels: Iterable[str],
    delivery: Delivery,
    zone: ZoneInfo,
    now: datetime,
) -> dict[str, int]:
    """How many more sends each rate-limited channel may make right now (channels without a
    limit are absent). Read once per batch; the deliverer counts down from it as it sends."""
    midnight = now.astimezone(zone).replace(hour=0, minute=0, second=0, microsecond=0)
    minute_ago = now - timedelta(minutes=1)
    left: dict[str, int] = {}
    for name in channels:
        per_minute = delivery.rate_per_minute.get(name)
        per_day = delivery.rate_per_day.get(name)
        budgets = []
        if per_minute:
            budgets.append(per_minute - outbox.sent_since(session, name, minute_ago))
        if per_day:
            budgets.append(per_day - outbox.sent_since(session, name, midnight))
        if budgets:
            left[name] = max(0, min(budgets))
    return left
