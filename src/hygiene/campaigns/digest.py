"""Weekly advisory digests: the advisories published since the official's last digest (or in the
last four weeks for a first digest). Nothing is planned for an official with nothing new.
An advisory with an audience (advisory_unit rows) goes only to officials of those units.
Key ``digest:{official}:{iso_year}-W{iso_week}``. One INSERT … SELECT.
"""

from datetime import datetime, timedelta

from sqlalchemy import DateTime, String, and_, cast, func, literal, or_, select
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col

from hygiene.advisories.audience_models import AdvisoryUnit
from hygiene.advisories.models import Advisory
from hygiene.campaigns.sql import insert_messages, last_per_official, message_columns
from hygiene.campaigns.stages import Clockless
from hygiene.inventory.models import Official
from hygiene.outbox.models import Message
from hygiene.settings import Settings

CAMPAIGN = "digest"
FIRST_DIGEST_LOOKBACK = timedelta(days=28)


def week_label(at: Clockless) -> str:
    year, week, _ = at.today.isocalendar()
    return f"{year:04d}-W{week:02d}"


def for_officials_unit() -> ColumnElement[bool]:
    """The advisory is for everyone (no audience rows) or lists the official's unit."""
    audience = select(col(AdvisoryUnit.unit_id)).where(
        col(AdvisoryUnit.advisory_id) == col(Advisory.id)
    )
    return or_(
        ~audience.exists(),
        audience.where(col(AdvisoryUnit.unit_id) == col(Official.unit_id)).exists(),
    )


def plan(*, session: Session, settings: Settings, at: Clockless, now: datetime) -> list[str]:
    stamp = literal(now, DateTime(timezone=True))
    last = last_per_official(
        CAMPAIGN, col(Message.planned_at), label="planned_at", name="last_digest"
    )
    since = func.coalesce(
        last.c.planned_at, literal(now - FIRST_DIGEST_LOOKBACK, DateTime(timezone=True))
    )
    key = literal(f"{CAMPAIGN}:") + cast(col(Official.id), String) + literal(f":{week_label(at)}")
    columns = message_columns(
        key=key,
        campaign=CAMPAIGN,
        kind="digest",
        stage=None,
        official=col(Official.id),
        payload=func.aggregate_strings(cast(col(Advisory.id), String), ","),
        today=at.today,
        now=now,
    )
    rows = (
        select(*columns)
        .select_from(Official)
        .outerjoin(last, last.c.official_id == col(Official.id))
        .join(
            Advisory,
            and_(
                col(Advisory.published_at) > since,
                col(Advisory.published_at) <= stamp,
                for_officials_unit(),
            ),
        )
        .where(col(Official.active))
        .group_by(col(Official.id))
    )
    return insert_messages(session, rows)
