"""The finding "declared but not seen": an official declared a rotation (portal, SMS, or an admin
recording their word) on an account a directory covers, and `grace_days` later the directory's
change date still has not reached the declared day. Sync turns a directory change on or after the
declared day into verified evidence, so what remains declared past the grace period is the
finding.

Per `sources.declared_not_seen = "remind"`, a sync also marks such an account for immediate
rotation (`compromised_at`), which plans a *rotate now* reminder until the directory shows a
change on or after that day; "list" only lists them for the security officer.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select, update
from sqlmodel import Session, col

from hygiene.inventory.models import Account, Official, Unit
from hygiene.settings import Settings
from hygiene.sources.changes import pairing
from hygiene.sources.models import SourceEntry

DECLARED = ("portal", "sms", "admin")


@dataclass(frozen=True)
class Finding:
    account_id: int
    employee_id: str
    full_name: str
    unit: str
    system: str
    login: str
    declared_on: date
    declared_how: str
    directory_changed_on: date | None
    source: str


def _query(settings: Settings, today: date, staged: str | None = None):  # type: ignore[no-untyped-def]
    cutoff = today - timedelta(days=settings.sources.grace_days)
    query = select(
        col(Account.id),
        col(Official.employee_id),
        col(Official.full_name),
        col(Unit.name),
        col(Account.system),
        col(Account.login),
        col(Account.last_rotated_on),
        col(Account.rotation_source),
        col(SourceEntry.changed_on),
        col(SourceEntry.source),
        col(Account.compromised_at),
    ).select_from(Account)
    pairs = []
    for name, config in settings.sources.entries.items():
        if staged is None or name == staged.removesuffix(".dry"):
            pairs.append(pairing(staged or name, list(config.covers)))
    if not pairs:
        return None
    from sqlalchemy import or_

    return (
        query.join(SourceEntry, or_(*pairs))
        .join(Official, col(Official.id) == col(Account.official_id))
        .join(Unit, col(Unit.id) == col(Official.unit_id))
        .where(
            col(Account.rotation_source).in_(DECLARED),
            col(Account.last_rotated_on) < cutoff,
            col(Account.inactive_reason).is_(None),
            col(Official.active),
        )
        .order_by(col(Unit.name), col(Official.employee_id), col(Account.system))
    )


def declared_not_seen(session: Session, *, settings: Settings, today: date) -> list[Finding]:
    query = _query(settings, today)
    if query is None:
        return []
    return [
        Finding(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9].removesuffix(".dry"))
        for r in session.execute(query)
    ]


def flag(
    session: Session, *, settings: Settings, name: str, staged: str, now: datetime
) -> list[int]:
    """Mark this source's new findings for immediate rotation (policy "remind"); their ids."""
    today = now.astimezone(settings.zone).date()
    query = _query(settings, today, staged)
    if query is None:
        return []
    due: list[int] = []
    for r in session.execute(query):
        compromised: datetime | None = r[10]
        # Already marked since the declaration: leave it (one reminder series per declaration).
        if compromised is None or compromised.astimezone(settings.zone).date() <= r[6]:
            due.append(r[0])
    if due and settings.sources.declared_not_seen == "remind":
        session.execute(
            update(Account)
            .where(col(Account.id).in_(due))
            .values(compromised_at=now, updated_at=now)
        )
    return due if settings.sources.declared_not_seen == "remind" else []


def matched(session: Session, *, staged: str, covers: list[str]) -> int:
    query = select(func.count()).select_from(Account).join(SourceEntry, pairing(staged, covers))
    return int(session.execute(query).scalar_one())
