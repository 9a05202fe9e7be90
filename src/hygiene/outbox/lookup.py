"""What a batch of messages renders from, read set-based: one query per table whatever the
batch size (messages, recipients, accounts, advisories, units, recent escalations, exposure
references), so rendering itself (compose) touches no database. What feature packages add to
their messages comes through `readers.Readers` (passed in, never imported)."""

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Select
from sqlalchemy import select as core_select
from sqlmodel import Session, col, select

from hygiene import i18n
from hygiene.advisories.models import Advisory
from hygiene.inventory.models import Account, Official, Unit
from hygiene.outbox import recipients
from hygiene.outbox.models import ESCALATIONS, Message
from hygiene.outbox.readers import Readers
from hygiene.settings import Settings
from hygiene.users.models import ConsoleUser

ACCOUNT_CAMPAIGNS = ("rotation", "attest")  # their payload: account ids


def ids(payload: str) -> list[int]:
    return [int(part) for part in payload.split(",") if part.strip()]


@dataclass(frozen=True)
class Escalation:
    head: int | None  # the unit head it went to; None: the security officers
    unit: int | None
    planned_on: date
    officials: frozenset[int]


@dataclass
class Lookup:
    accounts: dict[int, Account] = field(default_factory=dict)
    accounts_of: dict[int, list[Account]] = field(default_factory=dict)  # by official (escalation)
    advisories: dict[int, Advisory] = field(default_factory=dict)
    officials: dict[int, Official] = field(default_factory=dict)  # recipients and escalated
    users: dict[int, ConsoleUser] = field(default_factory=dict)  # console-user recipients
    units: dict[int, Unit] = field(default_factory=dict)
    escalations: list[Escalation] = field(default_factory=list)  # recent, for "informed"
    references: dict[int, tuple[str, str]] = field(default_factory=dict)  # account → exposure
    extras: dict[int, dict[str, Any]] = field(default_factory=dict)  # message → its reader's
    unreadable: dict[int, str] = field(default_factory=dict)  # message → why its reader failed

    def recipient(self, message: Message) -> Official | None:
        if message.official_id is not None:
            return self.officials.get(message.official_id)
        user = self.users.get(message.user_id) if message.user_id is not None else None
        return recipients.as_recipient(user) if user is not None else None


def _by_id(session: Session, model: Any, wanted: set[int]) -> dict[int, Any]:
    if not wanted:
        return {}
    return {row.id: row for row in session.exec(select(model).where(col(model.id).in_(wanted)))}


def load(
    session: Session, messages: Sequence[Message], *, settings: Settings, readers: Readers
) -> Lookup:
    """Every row `messages` need (queries skipped when nothing needs them). Messages of a
    campaign with a context reader (rare: notices, sign-in codes) are read one call each."""
    wanted: dict[str, set[int]] = {"account": set(), "digest": set(), "escalation": set()}
    for message in messages:
        kind = "account" if message.campaign in ACCOUNT_CAMPAIGNS else message.campaign
        if kind in wanted:
            wanted[kind].update(ids(message.payload))
    escalated = wanted["escalation"]
    officials = {m.official_id for m in messages if m.official_id is not None}
    lookup = Lookup(
        accounts=_by_id(session, Account, wanted["account"]),
        advisories=_by_id(session, Advisory, wanted["digest"]),
        officials=_by_id(session, Official, officials | escalated),
        users=_by_id(session, ConsoleUser, {m.user_id for m in messages if m.user_id}),
        units=_by_id(session, Unit, {m.subject_unit_id for m in messages if m.subject_unit_id}),
    )
    if escalated:
        query = select(Account).where(col(Account.official_id).in_(escalated))
        for account in session.exec(query):
            lookup.accounts_of.setdefault(account.official_id, []).append(account)
    compromised = [i for i, a in lookup.accounts.items() if a.compromised_at is not None]
    if compromised:
        lookup.references = readers.references(session, compromised)
    lookup.escalations = _recent_escalations(session, messages, lookup)
    _read_extras(session, messages, lookup, settings=settings, readers=readers)
    return lookup


def _read_extras(
    session: Session,
    messages: Sequence[Message],
    lookup: Lookup,
    *,
    settings: Settings,
    readers: Readers,
) -> None:
    for message in messages:
        reader = readers.contexts.get(message.campaign)
        person = lookup.recipient(message)
        if reader is None or person is None or message.id is None:
            continue
        locale = i18n.normalise_locale(person.locale)
        try:
            lookup.extras[message.id] = reader(session, message, settings=settings, locale=locale)
        except LookupError as exc:
            lookup.unreadable[message.id] = str(exc)


def _recent_escalations(
    session: Session, messages: Sequence[Message], lookup: Lookup
) -> list[Escalation]:
    """Escalations planned in the week before an escalate-stage reminder, for its units."""
    reminders = [m for m in messages if m.campaign == "rotation" and m.stage == "escalate"]
    units = {
        lookup.officials[m.official_id].unit_id
        for m in reminders
        if m.official_id is not None and m.official_id in lookup.officials
    }
    if not units:
        return []
    first = min(m.planned_on for m in reminders) - timedelta(days=7)
    last = max(m.planned_on for m in reminders)
    rows = session.execute(escalations(units, first, last)).all()
    return [Escalation(head, unit, on, frozenset(ids(payload))) for head, unit, on, payload in rows]


def escalations(
    units: Collection[int], first: date, last: date
) -> Select[int | None, int | None, date, str]:
    """Escalations of `units` planned from `first` to `last`, read through the partial index
    ix_message_escalation whatever else the outbox holds (tests/outbox/test_escalation_index)."""
    return core_select(
        col(Message.official_id),
        col(Message.subject_unit_id),
        col(Message.planned_on),
        col(Message.payload),
    ).where(
        ESCALATIONS,
        col(Message.subject_unit_id).in_(units),
        col(Message.planned_on) >= first,
        col(Message.planned_on) <= last,
    )
