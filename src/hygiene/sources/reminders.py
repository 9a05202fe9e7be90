"""Reminders a directory observation makes moot: a pending rotation reminder stops when every
account it lists is now quiet (rotated, per the policy and the directory's expiry), with no
acknowledgement. Only the officials whose accounts a sync rotated are looked at.
"""

from collections.abc import Iterable
from datetime import date, datetime

from sqlalchemy import update
from sqlmodel import Session, col, select

from hygiene.inventory.models import Account
from hygiene.outbox.models import Message
from hygiene.policy.rules import AccountFacts, current_event
from hygiene.settings import Settings

CANCELLED = "cancelled"


def quiet(account: Account, settings: Settings, today: date) -> bool:
    policy = settings.policies.get(account.kind)
    if policy is None:
        return True
    facts = AccountFacts(
        kind=account.kind,
        last_rotated_on=account.last_rotated_on,
        created_on=account.created_at.astimezone(settings.zone).date(),
        compromised_on=(
            account.compromised_at.astimezone(settings.zone).date()
            if account.compromised_at
            else None
        ),
        expires_on=account.expires_on,
    )
    return current_event(facts, policy, today) is None


def stop_moot(
    session: Session,
    *,
    official_ids: Iterable[int],
    settings: Settings,
    now: datetime,
    reason: str,
) -> list[int]:
    """Cancel pending rotation messages whose accounts are all quiet; returns their ids."""
    stopped: list[int] = []
    pending = select(Message.id).where(
        col(Message.campaign) == "rotation", col(Message.status) == "pending"
    )
    if session.exec(pending.limit(1)).first() is None:
        return stopped  # nothing to stop: skip looking up every rotated official
    officials = sorted(set(official_ids))
    today = now.astimezone(settings.zone).date()
    for start in range(0, len(officials), 500):
        chunk = officials[start : start + 500]
        messages = session.exec(
            select(Message).where(
                col(Message.official_id).in_(chunk),
                col(Message.campaign) == "rotation",
                col(Message.status) == "pending",
            )
        ).all()
        for message in messages:
            ids = [int(p) for p in message.payload.split(",") if p.strip().isdigit()]
            accounts = session.exec(select(Account).where(col(Account.id).in_(ids))).all()
            if accounts and all(quiet(a, settings, today) for a in accounts):
                stopped.append(message.id or 0)
    if stopped:
        session.execute(
            update(Message)
            .where(col(Message.id).in_(stopped), col(Message.status) == "pending")
            .values(status=CANCELLED, last_error=reason[:500], updated_at=now)
        )
    return stopped
