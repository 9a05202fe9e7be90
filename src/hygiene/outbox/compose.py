"""Turn one claimed outbox row into the texts an official reads.

Rendering happens at delivery time, not planning time: planning is one SQL statement, and
rendering needs per-message work (templates, masking, the acknowledgement code). It reads no
database: a batch reads what it renders from with lookup.load(), one query per table. The rendered
subject and text are stored on the row, so `hygiene outbox show` displays what was sent. Account
stages are recomputed for the day the message was planned, so a retry renders the same text.
"""

import hashlib
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlmodel import Session

from hygiene import i18n, keyed
from hygiene.audit import checkpoints
from hygiene.channels.base import OutgoingMessage
from hygiene.clock import as_utc as aware  # kept as a name: outbox modules and tests use it
from hygiene.db import row_id
from hygiene.inventory.models import Account, Official
from hygiene.messages.masking import mask_login
from hygiene.messages.render import Rendered, Renderer
from hygiene.outbox.lookup import Lookup, ids, load
from hygiene.outbox.models import Message
from hygiene.policy.rules import STAGE_RANK, AccountFacts, Stage, current_event
from hygiene.portal import signin
from hygiene.settings import Settings

SIGN_IN = "portal"  # the campaign of portal sign-in codes (portal.signin.issue)
HIDDEN_CODE = "••••-••••"


@dataclass(frozen=True)
class Composed:
    rendered: Rendered
    message_id: str
    ack_code: str  # for a sign-in message: the sign-in code
    ack_hmac: str | None
    ack_expires_on: date | None
    stored_text: str | None = None  # what the row keeps when it differs from what is sent

    @property
    def stored_body(self) -> str:
        return self.rendered.text if self.stored_text is None else self.stored_text


def message_id_for(idempotency_key: str, settings: Settings) -> str:
    """A stable RFC 5322 Message-ID: every retry and every instance send the same one."""
    domain = settings.channels.smtp.from_address.rpartition("@")[2] or "hygiene.invalid"
    digest = hashlib.sha256(idempotency_key.encode("utf-8")).hexdigest()[:40]
    return f"<{digest}@{domain}>"


def expiry_instant(composed: Composed, settings: Settings) -> datetime | None:
    """The code is valid through the day the message shows (local midnight after it)."""
    if composed.ack_expires_on is None:
        return None
    after = composed.ack_expires_on + timedelta(days=1)
    return datetime.combine(after, time(0, 0), settings.zone).astimezone(UTC)


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


def _account_lines(lookup: Lookup, message: Message, settings: Settings) -> list[dict[str, Any]]:
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


def _attest_lines(lookup: Lookup, message: Message) -> list[dict[str, Any]]:
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


def _advisory_lines(lookup: Lookup, message: Message, settings: Settings, locale: str) -> Any:
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


def _escalated_lines(lookup: Lookup, message: Message, settings: Settings) -> Any:
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


# Notices, not requests: nothing to acknowledge, so no code is shown (acks refuses them too).
UNACKNOWLEDGED = ("incident", checkpoints.CAMPAIGN)


def context(
    lookup: Lookup, message: Message, official: Official, *, settings: Settings, ack_code: str
) -> dict[str, Any]:
    locale = i18n.normalise_locale(official.locale)
    unit = lookup.units.get(message.subject_unit_id) if message.subject_unit_id else None
    expires = message.planned_on + timedelta(days=settings.messages.ack_code_days)
    campaign = message.campaign
    told = informed(lookup, message, official) if campaign == "rotation" else None
    return {
        "full_name": official.full_name,
        "phrase": official.anti_phishing_phrase or None,
        "ack_code": "" if campaign in UNACKNOWLEDGED else keyed.display(ack_code),
        "ack_expires": i18n.format_date(expires),
        "planned_on": i18n.format_date(message.planned_on),
        "accounts": _account_lines(lookup, message, settings)
        if campaign == "rotation"
        else (_attest_lines(lookup, message) if campaign == "attest" else []),
        "attest_every_days": settings.policy.attest_every_days,
        "informed": told,
        "escalated": told is not None,  # kept for template overrides written before "informed"
        "to_security": message.official_id is None,
        "saved_in_browser": message.stage == "saved",
        "advisories": _advisory_lines(lookup, message, settings, locale)
        if campaign == "digest"
        else [],
        "officials": _escalated_lines(lookup, message, settings)
        if campaign == "escalation"
        else [],
        "unit": unit.name if unit else "",
        "limit_days": min(p.escalate_after_days for p in settings.policies.values()),
        "incident": lookup.incidents.get(row_id(message.id), {}),
        "checkpoint": checkpoints.message_context(message.payload, settings=settings)
        if campaign == checkpoints.CAMPAIGN
        else {},
    }


def compose(
    session: Session,
    message: Message,
    official: Official,
    *,
    settings: Settings,
    secret: bytes,
    renderer: Renderer | None = None,
) -> Composed:
    """One message (a preview, a test): its rows read here; batches use compose_from(load())."""
    lookup = load(session, [message], settings=settings)
    return compose_from(
        lookup, message, official, settings=settings, secret=secret, renderer=renderer
    )


def compose_from(
    lookup: Lookup,
    message: Message,
    official: Official,
    *,
    settings: Settings,
    secret: bytes,
    renderer: Renderer | None = None,
) -> Composed:
    """`renderer`: Deps.renderer (by default one for settings.messages.templates_dir)."""
    renderer = renderer or Renderer(templates_dir=settings.messages.templates_dir)
    if message.campaign == SIGN_IN:
        return _sign_in(message, official, settings=settings, secret=secret, renderer=renderer)
    code = keyed.code_for(secret, message.idempotency_key)
    ctx = context(lookup, message, official, settings=settings, ack_code=code)
    rendered = renderer(message.kind, i18n.normalise_locale(official.locale), ctx)
    return Composed(
        rendered=rendered,
        message_id=message_id_for(message.idempotency_key, settings),
        ack_code=code,
        ack_hmac=keyed.code_hmac(secret, code),
        ack_expires_on=message.planned_on + timedelta(days=settings.messages.ack_code_days),
    )


def _sign_in(
    message: Message, official: Official, *, settings: Settings, secret: bytes, renderer: Renderer
) -> Composed:
    """A portal sign-in code. The code is the keyed PRF of the message's key (as for
    acknowledgement codes), so a retry sends the same code and no column holds it: the portal
    stores its keyed hash, and the row's copy of the text shows it hidden. Not acknowledgeable."""
    code = keyed.code_for(secret, message.idempotency_key)
    shown = keyed.display(code)
    ctx = {
        "full_name": official.full_name,
        "phrase": official.anti_phishing_phrase or None,
        "code": shown,
        "minutes": int(signin.CODE_TTL.total_seconds() // 60),
    }
    rendered = renderer(message.kind, i18n.normalise_locale(official.locale), ctx)
    return Composed(
        rendered=rendered,
        message_id=message_id_for(message.idempotency_key, settings),
        ack_code=code,
        ack_hmac=None,
        ack_expires_on=None,
        stored_text=rendered.text.replace(shown, HIDDEN_CODE),
    )


def outgoing(message: Message, official: Official, composed: Composed) -> OutgoingMessage:
    """The channel-neutral message; the delivery loop fills `to` per channel."""
    rendered = composed.rendered
    return OutgoingMessage(
        idempotency_key=message.idempotency_key,
        message_id=composed.message_id,
        to="",
        subject=rendered.subject,
        text=rendered.text,
        html=rendered.html,
        sms_text=rendered.sms,
        zalo_template=message.kind,
        zalo_data={"name": official.full_name, "code": composed.ack_code},
        locale=official.locale,
    )
