"""Rotation reminders: one message per official per stage day, listing every account of theirs
that is at a stage (upcoming, due, overdue, escalate, now).

One INSERT … SELECT evaluates every account (campaigns.stages), groups them by official and keeps
the officials with an event newer than the last one they were reminded about (`message.mark`).
The latest event wins, so after an outage an official gets one message with the current stage,
not the backlog. Key: ``rotation:{official}:{yyyy-mm-dd}:{stage}``, the worst stage listed.
"""

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import String, case, cast, func, literal, select
from sqlmodel import Session, col

from hygiene.campaigns.sql import insert_messages, last_per_official, message_columns
from hygiene.campaigns.stages import Clockless, account_stages
from hygiene.outbox.models import Message
from hygiene.policy.rules import MESSAGE_KIND, STAGE_RANK
from hygiene.settings import Settings

CAMPAIGN = "rotation"


def statement(  # type: ignore[no-untyped-def]
    *, settings: Settings, at: Clockless, now: datetime, officials: Sequence[int] | None = None
):
    """The SELECT feeding the insert (also what bench/plan.py times by hand); `officials` limits
    it to those officials (an exposure import plans their rotate-now at once)."""
    per_account = account_stages(settings.policies, at)
    worst = func.max(per_account.c.rank)
    stage = case(*((worst == rank, literal(s.value)) for s, rank in STAGE_RANK.items()))
    kind = case(*((worst == STAGE_RANK[s], literal(k)) for s, k in MESSAGE_KIND.items()))
    last = last_per_official(CAMPAIGN, col(Message.mark), label="mark", name="last_reminded")
    key = (
        literal(f"{CAMPAIGN}:")
        + cast(per_account.c.official_id, String)
        + literal(f":{at.today.isoformat()}:")
        + stage
    )
    columns = message_columns(
        key=key,
        campaign=CAMPAIGN,
        kind=kind,
        stage=stage,
        official=per_account.c.official_id,
        payload=func.aggregate_strings(cast(per_account.c.account_id, String), ","),
        mark=func.max(per_account.c.mark),
        today=at.today,
        now=now,
    )
    query = (
        select(*columns)
        .select_from(per_account.outerjoin(last, last.c.official_id == per_account.c.official_id))
        .where(per_account.c.mark.is_not(None))
        .group_by(per_account.c.official_id, last.c.mark)
        .having(func.max(per_account.c.mark) > func.coalesce(last.c.mark, -1))
    )
    if officials is not None:
        query = query.where(per_account.c.official_id.in_(list(officials)))
    return query


def plan(
    *,
    session: Session,
    settings: Settings,
    at: Clockless,
    now: datetime,
    officials: Sequence[int] | None = None,
) -> list[str]:
    query = statement(settings=settings, at=at, now=now, officials=officials)
    return insert_messages(session, query)
