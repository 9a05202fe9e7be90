"""Which channels were down in the batches before, for the delivery loop: a warning when one goes
down or comes back, the retry delay of what a down channel deferred, and /healthz's list."""

import logging
import random
from datetime import timedelta

from hygiene.outbox import rules
from hygiene.outbox.health import DeliveryHealth, bilingual
from hygiene.outbox.sending import ChannelState
from hygiene.settings import Delivery

log = logging.getLogger("hygiene.outbox.delivery")
DOWN_RETRY_CAP = timedelta(minutes=15)  # a down channel is tried again at least this often


class DownStreaks:
    def __init__(self, *, delivery: Delivery, rng: random.Random, health: DeliveryHealth) -> None:
        self.delivery, self.rng, self.health = delivery, rng, health
        self.streak: dict[str, int] = {}  # channel → consecutive batches it was down

    def note(self, state: ChannelState) -> None:
        """After a batch's sends: log what went down or came back, count the streaks."""
        down, used = state.down, set(state.ok) | set(state.transient)
        for channel in sorted(set(down) - set(self.streak)):
            failures = state.transient[channel]
            log.warning(
                bilingual(
                    "delivery.channel.down", channel=channel, failures=failures,
                    reason=down[channel],
                )
            )  # fmt: skip
        for channel in sorted((set(self.streak) & used) - set(down)):
            log.warning(bilingual("delivery.channel.up", channel=channel))
            self.streak.pop(channel, None)
        for channel in down:
            self.streak[channel] = self.streak.get(channel, 0) + 1
        self.health.channels_down = {
            c: down.get(c, self.health.channels_down.get(c, "")) for c in self.streak
        }

    def delay(self, channel: str) -> timedelta:
        streak = self.streak.get(channel, 0) + 1
        return min(rules.backoff(streak, self.delivery, self.rng), DOWN_RETRY_CAP)
