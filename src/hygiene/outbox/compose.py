"""Turn one claimed outbox row into the texts an official reads.

Rendering happens at delivery time, not planning time: planning is one SQL statement, and
rendering needs per-message work (templates, masking, the acknowledgement code). It reads no
database: a batch reads what it renders from with lookup.load(), one query per table (the lists
a reminder shows are built in `lines`). The rendered subject and text are stored on the row, so
`hygiene outbox show` displays what was sent, with the acknowledgement or sign-in code hidden
(HIDDEN_CODE): the row holds only the code's HMAC, so a database reader cannot acknowledge for
the official; a retry renders the same code again from the message's key. The renderer is
Deps.renderer and the readers Deps.readers, both built in hygiene.bootstrap and passed in.
"""

import hashlib
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlmodel import Session

from hygiene import i18n, keyed
from hygiene.channels.base import OutgoingMessage
from hygiene.db import row_id
from hygiene.inventory.models import Official
from hygiene.messages.render import Rendered, Renderer
from hygiene.outbox import lines
from hygiene.outbox.lookup import Lookup, load
from hygiene.outbox.models import Message
from hygiene.outbox.readers import Readers
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


def _extra(lookup: Lookup, message: Message) -> dict[str, Any] | None:
    """What the campaign's reader gave for this message (None: the campaign has no reader)."""
    pk = row_id(message.id)
    if pk in lookup.unreadable:
        raise LookupError(f"message {pk}: {lookup.unreadable[pk]}")
    return lookup.extras.get(pk)


def _lists(lookup: Lookup, message: Message, settings: Settings, locale: str) -> dict[str, Any]:
    campaign = message.campaign
    accounts: list[dict[str, Any]] = []
    if campaign == "rotation":
        accounts = lines.account_lines(lookup, message, settings)
    elif campaign == "attest":
        accounts = lines.attest_lines(lookup, message)
    digest = campaign == "digest"
    return {
        "accounts": accounts,
        "advisories": lines.advisory_lines(lookup, message, settings, locale) if digest else [],
        "officials": lines.escalated_lines(lookup, message, settings)
        if campaign == "escalation"
        else [],
    }


def context(
    lookup: Lookup, message: Message, official: Official, *, settings: Settings, ack_code: str
) -> dict[str, Any]:
    """What a reminder's templates see. A notice (a campaign with a reader: incidents,
    checkpoints) asks for nothing, so no code is shown (acks refuses them too)."""
    locale = i18n.normalise_locale(official.locale)
    unit = lookup.units.get(message.subject_unit_id) if message.subject_unit_id else None
    expires = message.planned_on + timedelta(days=settings.messages.ack_code_days)
    told = lines.informed(lookup, message, official) if message.campaign == "rotation" else None
    extra = _extra(lookup, message)
    return {
        "full_name": official.full_name,
        "phrase": official.anti_phishing_phrase or None,
        "ack_code": "" if extra is not None else keyed.display(ack_code),
        "ack_expires": i18n.format_date(expires),
        "planned_on": i18n.format_date(message.planned_on),
        **_lists(lookup, message, settings, locale),
        "attest_every_days": settings.policy.attest_every_days,
        "informed": told,
        "escalated": told is not None,  # kept for template overrides written before "informed"
        "to_security": message.official_id is None,
        "saved_in_browser": message.stage == "saved",
        "unit": unit.name if unit else "",
        "limit_days": min(p.escalate_after_days for p in settings.policies.values()),
        "incident": {},  # kept for template overrides that name them outside their campaign
        "checkpoint": {},
        **({message.campaign: extra} if extra is not None else {}),
    }


def compose(
    session: Session,
    message: Message,
    official: Official,
    *,
    settings: Settings,
    secret: bytes,
    renderer: Renderer,
    readers: Readers,
) -> Composed:
    """One message (a preview, a test): its rows read here; batches use compose_from(load())."""
    lookup = load(session, [message], settings=settings, readers=readers)
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
    renderer: Renderer,
    sms: bool = True,
    html: bool = True,
) -> Composed:
    """`sms=False` / `html=False`: no route sends the SMS text / the HTML part, which is then
    not rendered (left empty)."""
    if message.campaign == SIGN_IN:
        extra = _extra(lookup, message) or {}
        return _sign_in(
            message,
            official,
            extra,
            settings=settings,
            secret=secret,
            renderer=renderer,
            sms=sms,
            html=html,
        )
    code = keyed.code_for(secret, message.idempotency_key)
    ctx = context(lookup, message, official, settings=settings, ack_code=code)
    locale = i18n.normalise_locale(official.locale)
    rendered = renderer(message.kind, locale, ctx, sms=sms, html=html)
    shown = ctx["ack_code"]  # the row keeps the text with the code hidden, as for sign-in codes
    return Composed(
        rendered=rendered,
        message_id=message_id_for(message.idempotency_key, settings),
        ack_code=code,
        ack_hmac=keyed.code_hmac(secret, code),
        ack_expires_on=message.planned_on + timedelta(days=settings.messages.ack_code_days),
        stored_text=rendered.text.replace(shown, HIDDEN_CODE) if shown else None,
    )


def _sign_in(
    message: Message,
    official: Official,
    extra: dict[str, Any],
    *,
    settings: Settings,
    secret: bytes,
    renderer: Renderer,
    sms: bool = True,
    html: bool = True,
) -> Composed:
    """A portal sign-in code. The code is the keyed PRF of the message's key (as for
    acknowledgement codes), so a retry sends the same code and no column holds it: the portal
    stores its keyed hash, and the row's copy of the text shows it hidden. Not acknowledgeable.
    `extra`: what the portal's reader adds (the code's lifetime, `minutes`)."""
    code = keyed.code_for(secret, message.idempotency_key)
    shown = keyed.display(code)
    ctx = {
        "full_name": official.full_name,
        "phrase": official.anti_phishing_phrase or None,
        "code": shown,
        **extra,
    }
    locale = i18n.normalise_locale(official.locale)
    rendered = renderer(message.kind, locale, ctx, sms=sms, html=html)
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
