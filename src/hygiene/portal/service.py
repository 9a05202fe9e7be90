"""What the portal shows and changes for the signed-in official, apart from acknowledgements.

Due dates come from hygiene.policy.rules, the same rules the reminders use.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import update
from sqlmodel import Session, col, select

from hygiene.audit import service as audit
from hygiene.db import row_id
from hygiene.errors import InvalidInput
from hygiene.inventory import values
from hygiene.inventory.models import Account, Official, Unit
from hygiene.messages import links
from hygiene.messages.masking import mask_login
from hygiene.policy.rules import AccountFacts, current_event, due_date
from hygiene.settings import Settings


@dataclass(frozen=True)
class AccountView:
    id: int
    system: str
    kind: str
    login: str  # masked
    last_rotated_on: date | None
    due_on: date | None
    stage: str  # "ok" or a policy stage: upcoming, due, overdue, escalate, now
    mfa: bool
    browser_saved: bool
    strength_score: int | None
    strength_checked_on: date | None


def _local(value: datetime, zone: ZoneInfo) -> date:
    aware = value.replace(tzinfo=UTC) if value.tzinfo is None else value
    return aware.astimezone(zone).date()


def _view(account: Account, settings: Settings, today: date) -> AccountView:
    policy = settings.policies.get(account.kind)
    due = stage = None
    if policy is not None:
        compromised = account.compromised_at
        facts = AccountFacts(
            account.kind,
            account.last_rotated_on,
            _local(account.created_at, settings.zone),
            _local(compromised, settings.zone) if compromised else None,
        )
        due = due_date(facts, policy)
        event = current_event(facts, policy, today)
        stage = event.stage.value if event is not None else "ok"
    return AccountView(
        id=row_id(account.id),
        system=account.system,
        kind=account.kind,
        login=mask_login(account.login),
        last_rotated_on=account.last_rotated_on,
        due_on=due,
        stage=stage or "ok",
        mfa=account.mfa,
        browser_saved=account.browser_saved,
        strength_score=account.strength_score,
        strength_checked_on=account.strength_checked_on,
    )


def accounts(
    session: Session, *, official_id: int, settings: Settings, today: date
) -> list[AccountView]:
    rows = session.exec(
        select(Account).where(Account.official_id == official_id).order_by(col(Account.system))
    ).all()
    views = [_view(a, settings, today) for a in rows]
    return sorted(views, key=lambda v: (v.due_on or date.max, v.system))


def personal_words(session: Session, official: Official) -> list[str | None]:
    """What zxcvbn should treat as guessable for this official: name, email, phone, unit."""
    unit = session.get(Unit, official.unit_id)
    return [official.full_name, official.email, official.phone, unit.name if unit else None]


def set_phrase(
    session: Session, *, official: Official, phrase: str, now: datetime, key: bytes, actor: str
) -> None:
    """Set the anti-phishing phrase shown in every message. The log records the change only."""
    try:
        cleaned = values.text(phrase, max_length=100)
    except values.FieldError as exc:
        raise InvalidInput("portal.phrase.invalid") from exc
    if len(cleaned) < 4 or links.has_link(cleaned):
        raise InvalidInput("portal.phrase.invalid")
    official.anti_phishing_phrase = cleaned
    official.updated_at = now
    session.add(official)
    audit.append(
        session,
        key=key,
        now=now,
        actor=actor,
        action="official.phrase_set",
        subject=f"official:{official.employee_id}",
    )


def record_strength(
    session: Session,
    *,
    official_id: int,
    account_id: int,
    score: int,
    today: date,
    now: datetime,
) -> bool:
    """Keep a strength score and its date on one of the official's accounts (nothing else)."""
    result = session.execute(
        update(Account)
        .where(col(Account.id) == account_id, col(Account.official_id) == official_id)
        .values(strength_score=score, strength_checked_on=today, updated_at=now)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def owned_account_ids(session: Session, *, official_id: int) -> Sequence[int]:
    return [
        row_id(i)
        for i in session.exec(select(Account.id).where(Account.official_id == official_id))
    ]
