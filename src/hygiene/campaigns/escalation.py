"""Escalations: to each unit head, once per ISO week, the unit's officials with an account
overdue beyond the policy's escalate_after_days (the head themself excluded: they get their own
reminders). The message names officials and systems only, never anyone's acknowledgement code.
Key ``escalation:{unit}:{iso_year}-W{iso_week}``. One INSERT … SELECT.
"""

from datetime import datetime

from sqlalchemy import Date, DateTime, String, cast, func, literal, null, select
from sqlalchemy.orm import aliased
from sqlmodel import Session, col

from hygiene.campaigns.digest import week_label
from hygiene.campaigns.sql import insert_messages
from hygiene.campaigns.stages import Clockless, account_stages
from hygiene.inventory.models import Official, Unit
from hygiene.policy.rules import STAGE_RANK, Stage
from hygiene.settings import Settings

CAMPAIGN = "escalation"


def plan(*, session: Session, settings: Settings, at: Clockless, now: datetime) -> list[str]:
    per_account = account_stages(settings.policies, at)
    overdue = (
        select(per_account.c.official_id.label("official_id"))
        .group_by(per_account.c.official_id)
        .having(func.max(per_account.c.normal_rank) >= STAGE_RANK[Stage.ESCALATE])
        .subquery()
    )
    head = aliased(Official)
    member = aliased(Official)
    stamp = literal(now, DateTime(timezone=True))
    key = literal(f"{CAMPAIGN}:") + cast(col(Unit.id), String) + literal(f":{week_label(at)}")
    rows = (
        select(
            key,
            literal(CAMPAIGN),
            literal("escalation"),
            null(),
            col(Unit.head_official_id),
            col(Unit.id),
            func.aggregate_strings(cast(overdue.c.official_id, String), ","),
            null(),
            literal(at.today, Date()),
            stamp,
            literal("pending"),
            literal(0),
            stamp,
            stamp,
        )
        .select_from(overdue)
        .join(member, col(member.id) == overdue.c.official_id)
        .join(Unit, col(Unit.id) == col(member.unit_id))
        .join(head, col(head.id) == col(Unit.head_official_id))
        .where(col(head.active), col(member.id) != col(head.id))
        .group_by(col(Unit.id), col(Unit.head_official_id))
    )
    return insert_messages(session, rows)
