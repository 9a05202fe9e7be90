"""Escalations: once per ISO week, the unit's officials with an account overdue beyond the
policy's escalate_after_days, to the unit head (the head themself excluded: they get their own
reminders). A unit with no head, or whose head is inactive, escalates to every active
security-role console user instead, so an escalation is never silently dropped. The message
names officials and systems only, never anyone's acknowledgement code.

Keys ``escalation:{unit}:{iso_year}-W{iso_week}`` (to the head) and
``escalation:{unit}:{iso_year}-W{iso_week}:user:{user}`` (to a security officer). Two
INSERT … SELECT statements.
"""

from datetime import datetime
from typing import Any

from sqlalchemy import Select, String, and_, cast, func, literal, null, or_, select
from sqlalchemy.orm import aliased
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col

from hygiene.campaigns.digest import week_label
from hygiene.campaigns.sql import insert_messages, message_columns
from hygiene.campaigns.stages import Clockless, account_stages
from hygiene.inventory.models import Official, Unit
from hygiene.policy.rules import STAGE_RANK, Stage
from hygiene.settings import Settings
from hygiene.users.models import ConsoleUser

CAMPAIGN = "escalation"
SECURITY_ROLE = "security"


def _overdue(settings: Settings, at: Clockless) -> Any:
    per_account = account_stages(settings.policies, at)
    return (
        select(per_account.c.official_id.label("official_id"))
        .group_by(per_account.c.official_id)
        .having(func.max(per_account.c.normal_rank) >= STAGE_RANK[Stage.ESCALATE])
        .subquery()
    )


def _row(
    key: ColumnElement[str],
    official: Any,
    members: ColumnElement[str],
    at: Clockless,
    now: datetime,
) -> list[Any]:
    return message_columns(
        key=key,
        campaign=CAMPAIGN,
        kind="escalation",
        stage=None,
        official=official,
        subject_unit=col(Unit.id),
        payload=members,
        today=at.today,
        now=now,
    )


def to_heads(settings: Settings, at: Clockless, now: datetime) -> Select[Any]:
    overdue = _overdue(settings, at)
    head, member = aliased(Official), aliased(Official)
    key = literal(f"{CAMPAIGN}:") + cast(col(Unit.id), String) + literal(f":{week_label(at)}")
    members = func.aggregate_strings(cast(overdue.c.official_id, String), ",")
    return (
        select(*_row(key, col(Unit.head_official_id), members, at, now))
        .select_from(overdue)
        .join(member, col(member.id) == overdue.c.official_id)
        .join(Unit, col(Unit.id) == col(member.unit_id))
        .join(head, col(head.id) == col(Unit.head_official_id))
        .where(col(head.active), col(member.id) != col(head.id))
        .group_by(col(Unit.id), col(Unit.head_official_id))
    )


def to_security(settings: Settings, at: Clockless, now: datetime) -> Select[Any]:
    """Units without an active head: one message per security-role user."""
    overdue = _overdue(settings, at)
    head, member = aliased(Official), aliased(Official)
    key = (
        literal(f"{CAMPAIGN}:")
        + cast(col(Unit.id), String)
        + literal(f":{week_label(at)}:user:")
        + cast(col(ConsoleUser.id), String)
    )
    members = func.aggregate_strings(cast(overdue.c.official_id, String), ",")
    security = and_(col(ConsoleUser.active), col(ConsoleUser.roles).contains(SECURITY_ROLE))
    return (
        select(*_row(key, null(), members, at, now), col(ConsoleUser.id))
        .select_from(overdue)
        .join(member, col(member.id) == overdue.c.official_id)
        .join(Unit, col(Unit.id) == col(member.unit_id))
        .outerjoin(head, col(head.id) == col(Unit.head_official_id))
        .join(ConsoleUser, security)
        .where(or_(col(head.id).is_(None), ~col(head.active)))
        .group_by(col(Unit.id), col(ConsoleUser.id))
    )


def plan(*, session: Session, settings: Settings, at: Clockless, now: datetime) -> list[str]:
    return [
        *insert_messages(session, to_heads(settings, at, now)),
        *insert_messages(session, to_security(settings, at, now), with_user=True),
    ]
