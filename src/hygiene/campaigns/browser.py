"""Browser-password warnings: every active official, every `browser_every_months` months
(key ``browser:{official}:{yyyy-mm}``, the first month of the period), and every
`browser_saved_every_days` days for officials with an account marked saved in a browser
(key ``browser:{official}:{yyyy-mm-dd}``, the first day of the period), and likewise for officials
whose PCs' latest hygiene-probe report counted saved logins. One INSERT … SELECT.
"""

from datetime import date, datetime, timedelta

from sqlalchemy import String, case, cast, exists, literal, or_, select
from sqlmodel import Session, col

from hygiene.campaigns.sql import insert_messages, message_columns
from hygiene.campaigns.stages import EPOCH, Clockless
from hygiene.devices.models import Device
from hygiene.inventory.models import Account, Official
from hygiene.settings import Settings

CAMPAIGN = "browser"


def periods(today: date, every_months: int, saved_every_days: int) -> tuple[str, str]:
    """The labels of the current everyone-period (yyyy-mm) and saved-period (yyyy-mm-dd)."""
    month = today.year * 12 + today.month - 1
    start = month - month % every_months
    everyone = f"{start // 12:04d}-{start % 12 + 1:02d}"
    days = (today - EPOCH).days
    saved = EPOCH + timedelta(days=days - days % saved_every_days)
    return everyone, saved.isoformat()


def plan(*, session: Session, settings: Settings, at: Clockless, now: datetime) -> list[str]:
    campaigns = settings.campaigns
    everyone, saved_period = periods(
        at.today, campaigns.browser_every_months, campaigns.browser_saved_every_days
    )
    marked = exists(
        select(col(Account.id))
        .where(col(Account.official_id) == col(Official.id))
        .where(col(Account.browser_saved))
    )
    probed = exists(  # hygiene-probe counted saved logins on one of their PCs
        select(col(Device.id))
        .where(col(Device.official_id) == col(Official.id))
        .where(col(Device.revoked_at).is_(None), col(Device.last_saved_logins) > 0)
    )
    saved = or_(marked, probed)
    stage = case((saved, literal("saved")), else_=literal("everyone"))
    label = case((saved, literal(saved_period)), else_=literal(everyone))
    key = literal(f"{CAMPAIGN}:") + cast(col(Official.id), String) + literal(":") + label
    columns = message_columns(
        key=key,
        campaign=CAMPAIGN,
        kind="browser",
        stage=stage,
        official=col(Official.id),
        payload="",
        today=at.today,
        now=now,
    )
    rows = select(*columns).where(col(Official.active))
    return insert_messages(session, rows)
