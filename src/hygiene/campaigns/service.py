"""Run a campaign planner and record it in the compliance log.

Planning is set-based (one INSERT … SELECT per campaign), so the log gets one summary event per
planning run instead of one per message: the count, the planning day and a SHA-256 over the
sorted idempotency keys inserted. Each key names its official and period, so the event proves
which messages a run planned without adding a row per message to the chain (200,000 officials
would otherwise mean 200,000 chained, serialised appends per run). Sends, failures and dead
messages are logged one event per message, by the delivery service.
"""

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from hygiene.audit import checkpoints
from hygiene.audit import service as audit
from hygiene.campaigns import attest, browser, digest, escalation, rotation
from hygiene.campaigns.stages import Clockless
from hygiene.policy.rules import local_date
from hygiene.settings import Settings

Planner = Callable[..., list[str]]
PLANNERS: dict[str, Planner] = {
    "rotation": rotation.plan,
    "browser": browser.plan,
    "digest": digest.plan,
    "escalation": escalation.plan,
    "attest": attest.plan,
}
CAMPAIGNS = tuple(PLANNERS)


@dataclass(frozen=True)
class PlanResult:
    campaign: str
    planned: int
    keys_sha256: str
    keys: list[str]


def clockless(settings: Settings, now: datetime) -> Clockless:
    offset = now.astimezone(settings.zone).utcoffset()
    minutes = int(offset.total_seconds() // 60) if offset is not None else 0
    return Clockless(local_date(now, settings.zone), settings.timezone, minutes)


def keys_digest(keys: list[str]) -> str:
    return hashlib.sha256("\n".join(sorted(keys)).encode("utf-8")).hexdigest()


def plan(
    *,
    session: Session,
    settings: Settings,
    now: datetime,
    campaign: str,
    audit_key: bytes,
    actor: str,
    officials: list[int] | None = None,
) -> PlanResult:
    """Plan one campaign at `now` in the caller's transaction (roll it back for a dry run).

    `officials` (rotation only) limits planning to them: an exposure import's rotate-now.

    Refused (CheckpointBehind) when the compliance log no longer holds the last checkpoint this
    service sent: the database was rolled back or its log cut, and a person must look first.
    """
    checkpoints.guard(session, path=settings.checkpoint_path)
    at = clockless(settings, now)
    only = {} if officials is None else {"officials": officials}
    keys = PLANNERS[campaign](session=session, settings=settings, at=at, now=now, **only)
    result = PlanResult(campaign, len(keys), keys_digest(keys), keys)
    if keys:
        audit.append(
            session,
            key=audit_key,
            now=now,
            actor=actor,
            action="messages.planned",
            subject=f"campaign:{campaign}",
            data={
                "count": result.planned,
                "planned_on": at.today.isoformat(),
                "keys_sha256": result.keys_sha256,
            },
        )
    return result


def plan_all(
    *, session: Session, settings: Settings, now: datetime, audit_key: bytes, actor: str
) -> list[PlanResult]:
    """Every enabled campaign, in a fixed order."""
    enabled = [c for c in CAMPAIGNS if getattr(settings.campaigns, c).enabled]
    return [
        plan(
            session=session,
            settings=settings,
            now=now,
            campaign=c,
            audit_key=audit_key,
            actor=actor,
        )
        for c in enabled
    ]
