"""How a claimed message ended, as the rows batch.record() writes: the outbox transition, the
delivery_attempt rows and, for sent, failed and dead messages, the audit event.

Nothing here touches the database: a batch's outcomes are written together, in one
transaction. An outcome whose row was taken over by another worker (this worker's lease ran
out) is not written: batch.record() reports it, and the deliverer counts it "lost".
"""

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from hygiene.audit import service as audit
from hygiene.db import row_id
from hygiene.outbox import rules
from hygiene.outbox import service as outbox
from hygiene.outbox.batch import Outcome
from hygiene.outbox.models import Message
from hygiene.outbox.routing import Route
from hygiene.settings import Settings

RATE_LIMITED_DELAY = timedelta(seconds=60)  # a per-minute limit frees up within a minute
MAX_TEXT = 2000


@dataclass(frozen=True)
class Try:
    """One send on one route: kind is sent | transient | permanent | down | no_channel."""

    route: Route | None
    started: datetime
    finished: datetime
    kind: str
    detail: str
    provider_id: str | None = None


class Outcomes:
    def __init__(self, *, settings: Settings, worker: str, rng: random.Random) -> None:
        self.settings, self.worker, self.rng = settings, worker, rng

    def attempt_rows(self, message: Message, tries: list[Try]) -> list[dict[str, Any]]:
        return [
            {
                "message_id": row_id(message.id),
                "attempt": message.attempts,
                "worker": self.worker,
                "channel": t.route.channel if t.route else None,
                "recipient": t.route.to if t.route else None,
                "outcome": t.kind,
                "detail": t.detail[:MAX_TEXT],
                "provider_id": t.provider_id,
                "started_at": t.started,
                "finished_at": t.finished,
            }
            for t in tries
        ]

    def sent(self, message: Message, tries: list[Try], now: datetime) -> Outcome:
        last = tries[-1]
        channel, recipient = (last.route.channel, last.route.to) if last.route else (None, None)
        values = self._values(
            message,
            now,
            status=outbox.SENT,
            channel=channel,
            recipient=recipient,
            provider_id=last.provider_id,
            sent_at=now,
            last_error=None,
        )
        event = self._event(message, "message.sent", channel=channel)
        return Outcome(message, "sent", values, self.attempt_rows(message, tries), event)

    def fail(
        self,
        message: Message,
        tries: list[Try],
        now: datetime,
        reason: str,
        *,
        permanent: bool,
        channel: str | None = None,
    ) -> Outcome:
        """Permanent → failed; transient → retry after backoff, or dead after max_attempts."""
        attempts = message.attempts
        dead = not permanent and attempts >= self.settings.delivery.max_attempts
        status = outbox.FAILED if permanent else outbox.DEAD if dead else outbox.PENDING
        values = self._values(message, now, status=status, last_error=reason[:MAX_TEXT])
        values["channel"] = channel
        if status == outbox.PENDING:
            values["next_attempt_at"] = now + rules.backoff(
                attempts, self.settings.delivery, self.rng
            )
        action = "message.dead" if dead else "message.failed"
        event = self._event(
            message,
            action,
            reason=reason[:500],
            permanent=permanent,
            attempts=attempts,
            channel=channel,
        )
        result = "dead" if dead else "failed" if permanent else "retry"
        return Outcome(message, result, values, self.attempt_rows(message, tries), event)

    def deferred(
        self,
        message: Message,
        tries: list[Try],
        now: datetime,
        *,
        delay: timedelta,
        reason: str | None,
        result: str,
    ) -> Outcome:
        """Not the message's fault (a rate limit, a channel down): try again after `delay`
        without spending an attempt."""
        values = self._values(
            message,
            now,
            status=outbox.PENDING,
            attempts=max(message.attempts - 1, 0),
            next_attempt_at=now + delay,
        )
        if reason is not None:
            values["last_error"] = reason[:MAX_TEXT]
        return Outcome(message, result, values, self.attempt_rows(message, tries))

    def rate_limited(self, message: Message, now: datetime) -> Outcome:
        return self.deferred(
            message, [], now, delay=RATE_LIMITED_DELAY, reason=None, result="rate_limited"
        )

    def _values(self, message: Message, now: datetime, **changes: Any) -> dict[str, Any]:
        values: dict[str, Any] = {
            "status": message.status,
            "attempts": message.attempts,
            "next_attempt_at": message.next_attempt_at,
            "channel": message.channel,
            "recipient": message.recipient,
            "provider_id": message.provider_id,
            "sent_at": message.sent_at,
            "last_error": message.last_error,
            "updated_at": now,
        }
        values.update(changes)
        return values

    def _event(self, message: Message, action: str, **data: Any) -> audit.NewEvent:
        return audit.NewEvent(
            actor=f"worker:{self.worker}",
            action=action,
            subject=f"message:{message.id}",
            data={"key": message.idempotency_key, "attempt": message.attempts, **data},
        )
