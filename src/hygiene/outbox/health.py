"""What the delivery loop knows about its own health, for the log, /healthz and /metrics.

A full disk or a lost database is a *condition*, not an error per tick: one warning when it
starts, then reminders spaced out with backoff (1, 2, 4, then every REMINDER_CAP), and one line
when it ends, never a traceback per tick. Clock skew is measured against the database's clock
(clockcheck) and logged when it crosses `delivery.max_clock_skew_seconds` and when it comes back.
Nothing here decides delivery: the deliverer writes, the web app reads.
"""

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.exc import DBAPIError, OperationalError, SQLAlchemyError

from hygiene import i18n

log = logging.getLogger("hygiene.outbox.delivery")
REMINDER_FIRST = timedelta(minutes=1)
REMINDER_CAP = timedelta(minutes=5)
DISK_FULL = ("disk is full", "no space left", "disk full", "could not extend file")


def bilingual(key: str, /, **params: object) -> str:
    return f"{i18n.t(key, 'vi', **params)} / {i18n.t(key, 'en', **params)}"


def classify(exc: BaseException) -> str:
    """disk_full | database_unreachable | database_error."""
    text = str(getattr(exc, "orig", None) or exc).lower()
    if any(marker in text for marker in DISK_FULL) or (
        isinstance(exc, OSError) and exc.errno == 28
    ):
        return "disk_full"
    if isinstance(exc, OperationalError | ConnectionError) or (
        isinstance(exc, DBAPIError) and exc.connection_invalidated
    ):
        return "database_unreachable"
    return "database_error"


def is_database_failure(exc: BaseException) -> bool:
    return isinstance(exc, SQLAlchemyError | ConnectionError) or (
        isinstance(exc, OSError) and exc.errno == 28
    )


@dataclass
class DeliveryHealth:
    clock_skew_seconds: float | None = None  # this host minus the database; None on SQLite
    clock_skew_limit: float = 0.0
    problem: str | None = None  # the current condition (classify()), None when healthy
    problem_detail: str = ""
    problem_since: datetime | None = None
    problem_failures: int = 0
    conditions: dict[str, int] = field(default_factory=dict)  # condition → times it started
    channels_down: dict[str, str] = field(default_factory=dict)  # channel → last error
    _next_reminder: datetime | None = None
    _reminder_gap: timedelta = REMINDER_FIRST

    @property
    def clock_skewed(self) -> bool:
        skew = self.clock_skew_seconds
        return skew is not None and abs(skew) > self.clock_skew_limit

    def reason(self) -> str | None:
        if self.problem is None:
            return None
        return f"{bilingual(f'delivery.condition.{self.problem}')}: {self.problem_detail}"

    def failed(self, exc: BaseException, now: datetime) -> None:
        kind, detail = classify(exc), _one_line(exc)
        if self.problem is None:
            self.problem, self.problem_since, self.problem_failures = kind, now, 0
            self.conditions[kind] = self.conditions.get(kind, 0) + 1
            self._reminder_gap, self._next_reminder = REMINDER_FIRST, now + REMINDER_FIRST
            log.warning(bilingual("delivery.condition.started", reason=self._name(), detail=detail))
        self.problem_detail = detail
        self.problem_failures += 1
        if self._next_reminder is not None and now >= self._next_reminder:
            since = self.problem_since or now
            log.warning(
                bilingual(
                    "delivery.condition.reminder",
                    reason=self._name(),
                    since=since.isoformat(timespec="seconds"),
                    failures=self.problem_failures,
                )
            )
            self._reminder_gap = min(self._reminder_gap * 2, REMINDER_CAP)
            self._next_reminder = now + self._reminder_gap

    def recovered(self, now: datetime) -> None:
        if self.problem is None:
            return
        seconds = round((now - (self.problem_since or now)).total_seconds())
        name, failures = self._name(), self.problem_failures
        self.problem, self.problem_detail, self.problem_since = None, "", None
        self.problem_failures, self._next_reminder = 0, None
        log.warning(
            bilingual("delivery.condition.ended", seconds=seconds, reason=name, failures=failures)
        )

    def clock_measured(self, skew: float | None, limit: float) -> None:
        was = self.clock_skewed
        self.clock_skew_seconds, self.clock_skew_limit = skew, limit
        shown = f"{skew:+.1f}" if skew is not None else "0"
        if self.clock_skewed and not was:
            log.warning(bilingual("delivery.clock.skewed", skew=shown, limit=f"{limit:g}"))
        elif was and not self.clock_skewed:
            log.warning(bilingual("delivery.clock.agrees", skew=shown))

    def _name(self) -> str:
        return bilingual(f"delivery.condition.{self.problem}")


def _one_line(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    return (text[0] if text else type(exc).__name__)[:300]
