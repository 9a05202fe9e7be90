"""Check-and-attest (profile nist-800-63b-4): instead of periodic rotation reminders, each active
official with an account of a NIST-profile kind is asked, on the first planning day and then
every `policy.attest_every_days` days after their last such message, to check and confirm: MFA
on, no password saved in a browser, and any new password checked against the breached-password
index in the portal. The message lists those accounts; its code records the attestation.
Key ``attest:{official}:{yyyy-mm-dd}`` (the planning day). One INSERT … SELECT.
"""

from datetime import datetime, timedelta

from sqlalchemy import Date, String, cast, func, literal, or_, select
from sqlmodel import Session, col

from hygiene.campaigns.sql import insert_messages, last_per_official, message_columns
from hygiene.campaigns.stages import Clockless
from hygiene.inventory.models import Account, Official
from hygiene.outbox.models import Message
from hygiene.settings import Settings

CAMPAIGN = "attest"


def nist_kinds(settings: Settings) -> list[str]:
    return [kind for kind, policy in settings.policies.items() if not policy.periodic]


def plan(*, session: Session, settings: Settings, at: Clockless, now: datetime) -> list[str]:
    kinds = nist_kinds(settings)
    if not kinds:
        return []
    last = last_per_official(
        CAMPAIGN, col(Message.planned_on), label="planned_on", name="last_attest"
    )
    cutoff = literal(at.today - timedelta(days=settings.policy.attest_every_days), Date())
    key = literal(f"{CAMPAIGN}:") + cast(col(Official.id), String) + literal(f":{at.today}")
    columns = message_columns(
        key=key,
        campaign=CAMPAIGN,
        kind="attest",
        stage="attest",
        official=col(Official.id),
        payload=func.aggregate_strings(cast(col(Account.id), String), ","),
        today=at.today,
        now=now,
    )
    rows = (
        select(*columns)
        .select_from(Official)
        .join(Account, col(Account.official_id) == col(Official.id))
        .outerjoin(last, last.c.official_id == col(Official.id))
        .where(col(Official.active), col(Account.kind).in_(kinds))
        .where(or_(last.c.planned_on.is_(None), last.c.planned_on <= cutoff))
        .group_by(col(Official.id))
    )
    return insert_messages(session, rows)
