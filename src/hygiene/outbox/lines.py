"""The lists a reminder shows, from a batch's Lookup: account lines (rotation, attest), the
advisories of a digest, and the officials of an escalation. Pure: no database, no clock; a line's
stage is recomputed for the day the message was planned, so a retry renders the same text."""

from datetime import date, timedelta
from typing import Any

from hygiene import i18n
from hygiene.clock import as_utc as aware
from hygiene.db import row_id
from hygiene.inventory.models import Account, Official
from hygiene.messages.masking import mask_login
from hygiene.outbox.lookup import Lookup, ids
from hygiene.outbox.models import Message
from hygiene.policy.rules import STAGE_RANK, AccountFacts, Stage, current_event
from hygiene.settings import Settings


def _facts(account: Account, settings: Settings, *, with_compromise: bool = True) -> AccountFacts:
    compromised = account.compromised_at if with_compromise else None
    return AccountFacts(
        account.kind,
        account.last_rotated_on,
        aware(account.created_at).astimezone(settings.zone).date(),
        aware(compromised).astimezone(settings.zone).date() if compromised else None,
    )


def _accounts(lookup: Lookup, message: Message) -> list[Account]:
    return [lookup.accounts[i] for i in ids(message.payload) if i in lookup.accounts]


def account_lines(lookup: Lookup, message: Message, settings: Settings) -> list[dict[str, Any]]:
    accounts = _accounts(lookup, message)
    lines: list[dict[str, Any]] = []
    for account in accounts:
        policy = settings.policies.get(account.kind)
        if policy is None:
            continue
        event = current_event(_facts(account, settings), policy, message.planned_on)
        due = event.due_on if event else message.planned_on
        if event is not None and event.stage is Stage.NOW:
            due = message.planned_on
        lines.append({"system": account.system, "login": mask_login(account.login), "due": due})
        if event is not None and event.stage is Stage.NOW:
            lines[-1]["account_id"] = account.id
    _add_references(lookup, lines)
    lines.sort(key=lambda line: (line["due"], line["system"]))
    return [
        {**line, "due_on": i18n.format_date(line["due"]), "state": due_state(line["due"], message)}
        for line in lines
    ]  # dd/mm/yyyy


def due_state(due: date, message: Message) -> str:
    """How a line is worded, from its own date: "upcoming", "today" or "overdue"."""
    if due > message.planned_on:
        return "upcoming"
    return "today" if due == message.planned_on else "overdue"


def informed(lookup: Lookup, message: Message, official: Official) -> str | None:
    """Who an escalation planned in the last week told about this official: "head",
    "security" or None. A reminder says someone was informed only when that message exists."""
    if message.stage != Stage.ESCALATE.value or official.id is None:
        return None
    week = message.planned_on - timedelta(days=7)
    told = [
        e.head
        for e in lookup.escalations
        if e.unit == official.unit_id
        and week <= e.planned_on <= message.planned_on
        and official.id in e.officials
    ]
    if not told:
        return None
    return "head" if any(head is not None for head in told) else "security"


def _add_references(lookup: Lookup, lines: list[dict[str, Any]]) -> None:
    """A rotate-now line names the exposure list that forced it: source and reference."""
    found = lookup.references
    for line in lines:
        account_id = line.pop("account_id", None)
        line["source"], line["reference"] = (
            found.get(account_id, ("", "")) if account_id else ("", "")
        )


def attest_lines(lookup: Lookup, message: Message) -> list[dict[str, Any]]:
    accounts = sorted(_accounts(lookup, message), key=lambda a: (a.system, row_id(a.id)))
    return [
        {
            "system": a.system,
            "login": mask_login(a.login),
            "mfa": a.mfa,
            "browser_saved": a.browser_saved,
        }
        for a in accounts
    ]


def advisory_lines(lookup: Lookup, message: Message, settings: Settings, locale: str) -> Any:
    rows = [lookup.advisories[i] for i in ids(message.payload) if i in lookup.advisories]
    rows.sort(key=lambda a: aware(a.published_at))
    return [
        {
            "title": a.title,
            "body": a.body,
            "severity": i18n.t(f"engine.severity.{a.severity}", locale),
            "reference": a.reference or "",
            "requires_ack": a.requires_ack,
            "published_on": i18n.format_date(aware(a.published_at).astimezone(settings.zone)),
        }
        for a in rows
    ]


def escalated_lines(lookup: Lookup, message: Message, settings: Settings) -> Any:
    officials = [lookup.officials[i] for i in ids(message.payload) if i in lookup.officials]
    officials.sort(key=lambda person: person.full_name)
    return [
        {
            "full_name": person.full_name,
            "employee_id": person.employee_id,
            "systems": ", ".join(_escalated_systems(lookup, person, message, settings)),
        }
        for person in officials
    ]


def _escalated_systems(
    lookup: Lookup, person: Official, message: Message, settings: Settings
) -> list[str]:
    systems = []
    for account in lookup.accounts_of.get(row_id(person.id), []):
        policy = settings.policies.get(account.kind)
        if policy is None:
            continue
        facts = _facts(account, settings, with_compromise=False)
        event = current_event(facts, policy, message.planned_on)
        if event is not None and event.stage.rank >= STAGE_RANK[Stage.ESCALATE]:
            systems.append(account.system)
    return sorted(systems)
