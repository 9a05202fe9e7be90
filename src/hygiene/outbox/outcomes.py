"""How a claimed message ended, recorded in one transaction each: the delivery_attempt row, the
lease-guarded outbox transition and, for sent, failed and dead messages, the audit event.

A transition that finds its lease gone (another worker took the row after this one's lease ran
out) changes nothing and reports "lost": the other worker now owns the message.
"""

import random
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session

from hygiene.audit import service as audit
from hygiene.channels.base import Result
from hygiene.clock import Clock
from hygiene.db import row_id, session_scope
from hygiene.outbox import rules
from hygiene.outbox import service as outbox
from hygiene.outbox.models import Message
from hygiene.outbox.routing import Route
from hygiene.settings import Settings

RATE_LIMITED_DELAY = timedelta(seconds=60)  # a per-minute limit frees up within a minute
MAX_TEXT = 2000


class Outcomes:
    def __init__(
        self,
        *,
        engine: Engine,
        settings: Settings,
        audit_key: bytes,
        clock: Clock,
        worker: str,
        rng: random.Random,
    ) -> None:
        self.engine, self.settings, self.audit_key = engine, settings, audit_key
        self.clock, self.worker, self.rng = clock, worker, rng

    def attempt(
        self,
        message: Message,
        route: Route | None,
        started: datetime,
        outcome: str,
        detail: str,
        *,
        provider_id: str | None = None,
        session: Session | None = None,
    ) -> None:
        values = {
            "message_id": row_id(message.id),
            "attempt": message.attempts,
            "worker": self.worker,
            "channel": route.channel if route else None,
            "recipient": route.to if route else None,
            "outcome": outcome,
            "detail": detail[:MAX_TEXT],
            "provider_id": provider_id,
            "started_at": started,
            "finished_at": self.clock.now(),
        }
        if session is not None:
            outbox.record_attempt(session, **values)
            return
        with session_scope(self.engine) as own:
            outbox.record_attempt(own, **values)

    def sent(self, message: Message, route: Route, started: datetime, result: Result) -> str:
        now = self.clock.now()
        with session_scope(self.engine) as session:
            self.attempt(
                message,
                route,
                started,
                "sent",
                result.detail,
                provider_id=result.provider_id,
                session=session,
            )
            held = self._finish(
                session,
                message,
                outbox.SENT,
                channel=route.channel,
                recipient=route.to,
                provider_id=result.provider_id,
                sent_at=now,
                last_error=None,
            )
            if held:
                self._audit(session, message, "message.sent", channel=route.channel)
        return "sent" if held else "lost"

    def fail(
        self, message: Message, reason: str, *, permanent: bool, channel: str | None = None
    ) -> str:
        """Permanent → failed; transient → retry after backoff, or dead after max_attempts."""
        attempts = message.attempts
        dead = not permanent and attempts >= self.settings.delivery.max_attempts
        status = outbox.FAILED if permanent else outbox.DEAD if dead else outbox.PENDING
        values: dict[str, Any] = {"last_error": reason[:MAX_TEXT], "channel": channel}
        if status == outbox.PENDING:
            delay = rules.backoff(attempts, self.settings.delivery, self.rng)
            values["next_attempt_at"] = self.clock.now() + delay
        with session_scope(self.engine) as session:
            held = self._finish(session, message, status, **values)
            if held:
                action = "message.dead" if dead else "message.failed"
                self._audit(
                    session,
                    message,
                    action,
                    reason=reason[:500],
                    permanent=permanent,
                    attempts=attempts,
                    channel=channel,
                )
        if not held:
            return "lost"
        return "dead" if dead else "failed" if permanent else "retry"

    def deferred(self, message: Message) -> str:
        """Only a rate limit stands in the way: not an attempt, try again soon."""
        with session_scope(self.engine) as session:
            self._finish(
                session,
                message,
                outbox.PENDING,
                attempts=max(message.attempts - 1, 0),
                next_attempt_at=self.clock.now() + RATE_LIMITED_DELAY,
            )
        return "rate_limited"

    def no_route(self, message: Message) -> str:
        self.attempt(message, None, self.clock.now(), "no_channel", "no channel or address")
        return self.fail(message, "no configured channel can reach this official", permanent=True)

    def unrenderable(self, message_id: int, reason: str) -> str:
        with session_scope(self.engine) as session:
            message = session.get(Message, message_id)
        if message is None:
            return "lost"
        self.attempt(message, None, self.clock.now(), "permanent", f"render: {reason}")
        return self.fail(message, f"render: {reason}", permanent=True)

    def _finish(self, session: Session, message: Message, status: str, **values: Any) -> bool:
        return outbox.finish(
            session,
            pk=row_id(message.id),
            owner=self.worker,
            status=status,
            now=self.clock.now(),
            **values,
        )

    def _audit(self, session: Session, message: Message, action: str, **data: Any) -> None:
        audit.append(
            session,
            key=self.audit_key,
            now=self.clock.now(),
            actor=f"worker:{self.worker}",
            action=action,
            subject=f"message:{message.id}",
            data={"key": message.idempotency_key, "attempt": message.attempts, **data},
        )
