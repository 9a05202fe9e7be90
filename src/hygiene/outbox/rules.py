"""Delivery-time rules, pure: the send window, working days and holidays, and backoff."""

import random
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from hygiene.settings import Delivery

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def in_window(now: datetime, delivery: Delivery, zone: ZoneInfo) -> bool:
    """May a message go out at `now`: inside the local window, on a working non-holiday day?"""
    local = now.astimezone(zone)
    if WEEKDAYS[local.weekday()] not in delivery.days or local.date() in delivery.holidays:
        return False
    return delivery.window_start <= local.time().replace(tzinfo=None) < delivery.window_end


def backoff(attempts: int, delivery: Delivery, rng: random.Random) -> timedelta:
    """Exponential backoff with jitter: base·2^(n-1), capped, then scaled by a random 50–100 %.

    The jitter spreads the retries of a batch that failed together (a provider outage) so they
    do not all come back in the same second.
    """
    # The exponent is capped: a down channel's streak counts batches and passes 1,024 in a long
    # outage, where 2 ** n no longer converts to a float (OverflowError on every batch).
    doubling = 2.0 ** min(attempts - 1, 64)
    ceiling = min(delivery.backoff_max_seconds, delivery.backoff_base_seconds * doubling)
    return timedelta(seconds=ceiling * (0.5 + rng.random() / 2))
