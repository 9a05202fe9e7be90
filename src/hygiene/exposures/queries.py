"""Read-only queries over exposures: what the console lists and what a message names."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import and_, case, func, select
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col

from hygiene.campaigns.service import clockless
from hygiene.campaigns.sql import day_number, local_day_number
from hygiene.clock import as_utc
from hygiene.db import row_id
from hygiene.errors import NotFound
from hygiene.exposures.models import Exposure, ExposureMatch
from hygiene.inventory.models import Account, Official, Unit
from hygiene.settings import Settings


def references(session: Session, account_ids: list[int]) -> dict[int, tuple[str, str]]:
    """The latest exposure (source, reference) of each account that has one."""
    rows = session.execute(
        select(col(ExposureMatch.account_id), col(Exposure.source), col(Exposure.reference))
        .join(Exposure, col(Exposure.id) == col(ExposureMatch.exposure_id))
        .where(col(ExposureMatch.account_id).in_(account_ids))
        .order_by(col(Exposure.imported_at), col(Exposure.id))
    )
    latest: dict[int, tuple[str, str]] = defaultdict(lambda: ("", ""))
    for account_id, source, reference in rows:
        latest[account_id] = (source, reference)
    return dict(latest)


@dataclass(frozen=True)
class ExposureRow:
    id: int
    imported_at: datetime
    source: str
    reference: str
    entries: int
    matched: int
    unmatched: int
    accounts: int
    open: int  # matched accounts not changed since the import day
    rotated: int


@dataclass(frozen=True)
class MatchRow:
    employee_id: str
    full_name: str
    unit: str
    system: str
    shown: str  # masked identifier
    matched_on: str
    rotated_on: date | None
    status: str  # "open" | "rotated"


def _count_if(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _changed_since_import(zone: str, offset_minutes: int) -> ColumnElement[bool]:
    imported = local_day_number(col(Exposure.imported_at), zone, offset_minutes)
    return and_(
        col(Account.last_rotated_on).is_not(None),
        day_number(col(Account.last_rotated_on)) >= imported,
    )


def list_exposures(
    session: Session, *, settings: Settings, now: datetime, limit: int = 200
) -> list[ExposureRow]:
    """Newest first, with how many matched accounts are still open."""
    at = clockless(settings, now)
    rotated = _changed_since_import(at.zone, at.offset_minutes)
    query = (
        select(Exposure, func.count(col(ExposureMatch.id)), _count_if(rotated))
        .outerjoin(ExposureMatch, col(ExposureMatch.exposure_id) == col(Exposure.id))
        .outerjoin(Account, col(Account.id) == col(ExposureMatch.account_id))
        .group_by(col(Exposure.id))
        .order_by(col(Exposure.imported_at).desc(), col(Exposure.id).desc())
        .limit(limit)
    )
    return [
        ExposureRow(
            id=row_id(e.id),
            imported_at=e.imported_at,
            source=e.source,
            reference=e.reference,
            entries=e.entries,
            matched=e.matched,
            unmatched=e.unmatched,
            accounts=e.accounts,
            open=int(total) - int(done),
            rotated=int(done),
        )
        for e, total, done in session.execute(query).all()
    ]


def matches(session: Session, *, exposure_id: int, settings: Settings) -> list[MatchRow]:
    """The accounts one import matched, by unit and name; "rotated" once changed on or after
    the import's local day."""
    exposure = session.get(Exposure, exposure_id)
    if exposure is None:
        raise NotFound("exposures.not_found", id=exposure_id)
    query = (
        select(ExposureMatch, Account, Official, Unit)
        .join(Account, col(Account.id) == col(ExposureMatch.account_id))
        .join(Official, col(Official.id) == col(Account.official_id))
        .join(Unit, col(Unit.id) == col(Official.unit_id))
        .where(col(ExposureMatch.exposure_id) == exposure_id)
        .order_by(col(Unit.name), col(Official.full_name), col(Account.system))
    )
    day = as_utc(exposure.imported_at).astimezone(settings.zone).date()
    return [
        MatchRow(
            employee_id=o.employee_id,
            full_name=o.full_name,
            unit=u.name,
            system=a.system,
            shown=m.shown,
            matched_on=m.matched_on,
            rotated_on=a.last_rotated_on,
            status="rotated" if a.last_rotated_on and a.last_rotated_on >= day else "open",
        )
        for m, a, o, u in session.execute(query).all()
    ]
