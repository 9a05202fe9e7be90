"""Verified or declared: per unit, how the on-time accounts' rotation dates are known.

    verified   the date was observed in a directory (rotation_source "directory:NAME")
    declared   the official declared it (portal, SMS, code) or an admin entered it

"On time" is the compliance report's own definition (hygiene.reports.sql.overdue_on), so
verified + declared = on_time of the compliance report, unit by unit. MFA is split the same way.
One set-based GROUP BY; "declared but not seen" counts come from hygiene.sources.findings.
"""

from collections import Counter
from datetime import date

from pydantic import BaseModel
from sqlalchemy import and_, func, not_, select
from sqlmodel import Session, col

from hygiene.campaigns.stages import Clockless
from hygiene.inventory.models import Account, Official, Unit
from hygiene.reports.sql import count_if, overdue_on, pct
from hygiene.settings import Settings
from hygiene.sources import findings


class UnitEvidence(BaseModel):
    unit_id: int | None
    unit: str
    accounts: int
    on_time: int
    verified: int
    declared: int
    verified_pct: float | None
    declared_pct: float | None
    mfa_verified: int
    mfa_declared: int
    declared_not_seen: int


class EvidenceReport(BaseModel):
    as_of: date
    units: list[UnitEvidence]
    total: UnitEvidence


def _row(unit_id: int | None, name: str, n: tuple[int, ...], unseen: int) -> UnitEvidence:
    accounts, on_time, verified, mfa_verified, mfa = n
    return UnitEvidence(
        unit_id=unit_id,
        unit=name,
        accounts=accounts,
        on_time=on_time,
        verified=verified,
        declared=on_time - verified,
        verified_pct=pct(verified, accounts),
        declared_pct=pct(on_time - verified, accounts),
        mfa_verified=mfa_verified,
        mfa_declared=mfa - mfa_verified,
        declared_not_seen=unseen,
    )


def report(session: Session, *, settings: Settings, at: Clockless) -> EvidenceReport:
    on_time = not_(overdue_on(settings.policies, at, at.today_number))
    observed = col(Account.rotation_source).like("directory:%")
    mfa_observed = and_(col(Account.mfa), col(Account.mfa_source).like("directory:%"))
    query = (
        select(
            col(Unit.id),
            col(Unit.name),
            func.count(col(Account.id)),
            count_if(on_time),
            count_if(and_(on_time, observed)),
            count_if(mfa_observed),
            count_if(col(Account.mfa)),
        )
        .select_from(Account)
        .join(Official, col(Official.id) == col(Account.official_id))
        .join(Unit, col(Unit.id) == col(Official.unit_id))
        .where(col(Official.active), col(Account.inactive_reason).is_(None))
        .group_by(col(Unit.id), col(Unit.name))
        .order_by(col(Unit.name))
    )
    unseen = Counter(
        f.unit for f in findings.declared_not_seen(session, settings=settings, today=at.today)
    )
    units = [
        _row(r[0], r[1], tuple(int(v or 0) for v in r[2:]), unseen.get(r[1], 0))
        for r in session.execute(query)
    ]
    sums = tuple(
        sum(getattr(u, f) for u in units)
        for f in ("accounts", "on_time", "verified", "mfa_verified")
    )
    mfa_total = sum(u.mfa_verified + u.mfa_declared for u in units)
    total = _row(None, "", (*sums, mfa_total), sum(unseen.values()))
    return EvidenceReport(as_of=at.today, units=units, total=total)
