"""An official's own statements from the portal, without a code: "I rotated X today", "MFA is
on for X", "I removed saved passwords from my browsers", "I read this advisory". Each becomes
acknowledgement rows plus one audit event, like an acknowledgement by code; only the official's own
accounts change.
"""

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from hygiene.acks.models import Acknowledgement
from hygiene.acks.service import AckRejected, AckResult, record, set_accounts, systems, titles
from hygiene.advisories.models import Advisory
from hygiene.audit import service as audit
from hygiene.db import row_id
from hygiene.inventory.models import Account
from hygiene.policy.rules import local_date

WHAT = ("rotation", "mfa", "browser", "advisory")


def _changes(what: str, today: date, now: datetime) -> dict[str, Any]:
    """The account columns a declaration sets, with where the fact came from (the portal)."""
    changes: dict[str, dict[str, Any]] = {
        "rotation": {
            "last_rotated_on": today,
            "rotation_source": "portal",
            "rotation_seen_at": now,
        },
        "mfa": {"mfa": True, "mfa_source": "portal", "mfa_seen_at": now},
        "browser": {"browser_saved": False},
    }
    return changes.get(what, {})


def _chosen(
    session: Session,
    official_id: int,
    what: str,
    account_ids: Sequence[int],
    advisory_ids: Sequence[int],
) -> tuple[list[int], list[int]]:
    """(the official's accounts concerned, the advisories concerned), or AckRejected."""
    if what not in WHAT:
        raise AckRejected("ack.bad_declaration")
    owned = select(Account.id).where(Account.official_id == official_id)
    if what != "browser":
        owned = owned.where(col(Account.id).in_(list(account_ids)))
    accounts = [row_id(i) for i in session.exec(owned.order_by(col(Account.id))).all()]
    query = select(Advisory.id).where(col(Advisory.id).in_(list(advisory_ids)))
    advisories = [row_id(a) for a in session.exec(query)]
    if (what == "advisory" and not advisories) or (what in ("rotation", "mfa") and not accounts):
        raise AckRejected("ack.nothing_chosen")
    return accounts, advisories


def declare(
    session: Session,
    *,
    official_id: int,
    what: str,
    account_ids: Sequence[int] = (),
    advisory_ids: Sequence[int] = (),
    actor: str,
    now: datetime,
    zone: ZoneInfo,
    key: bytes,
) -> AckResult:
    accounts, advisories = _chosen(session, official_id, what, account_ids, advisory_ids)
    today = local_date(now, zone)
    if changes := _changes(what, today, now):
        set_accounts(session, accounts, **changes, updated_at=now)
    result = AckResult(
        None,
        official_id,
        what,
        today,
        tuple(systems(session, accounts)),
        tuple(titles(session, advisories)),
    )
    _record(session, result, accounts, advisories, actor=actor, now=now, key=key)
    return result


def _record(
    session: Session,
    result: AckResult,
    accounts: list[int],
    advisories: list[int],
    *,
    actor: str,
    now: datetime,
    key: bytes,
) -> None:
    """The acknowledgement rows (one per account for rotation and MFA) and one audit event."""
    per_account = accounts if result.what in ("rotation", "mfa") else []
    record(
        session,
        result=result,
        how="portal",
        actor=actor,
        now=now,
        note=None,
        accounts=per_account,
        advisories=advisories,
    )
    audit.append(
        session,
        key=key,
        now=now,
        actor=actor,
        action="ack.declared",
        subject=f"official:{result.official_id}",
        data={"what": result.what, "accounts": accounts, "advisories": advisories},
    )


def history(session: Session, *, official_id: int, limit: int = 20) -> Sequence[Acknowledgement]:
    """The official's latest acknowledgement rows, newest first."""
    return session.exec(
        select(Acknowledgement)
        .where(Acknowledgement.official_id == official_id)
        .order_by(col(Acknowledgement.at).desc(), col(Acknowledgement.id).desc())
        .limit(limit)
    ).all()
