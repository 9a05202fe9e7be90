"""Acknowledge a message by its code, and record an official's own declarations.

A code is accepted once, before its message's `ack_expires_at`, and only for its own message
(the database keeps HMAC(code), see hygiene.keyed). Checks run before any change, in order:
well-formed, known, (SMS) sent from the official's phone, not used, not expired. Unknown codes and
a wrong sender get the same answer, so the webhook cannot be used to learn whose code it is.

Effects, by the message's campaign:

    rotation    the listed accounts were rotated on the day of the acknowledgement
    browser     the official removed saved passwords from their browsers (every account)
    digest      each listed advisory was read and understood
    escalation  the unit head saw the escalation
    attest      the official checked the listed accounts: MFA on, nothing saved in a browser
                (nist-800-63b-4 check-and-attest; recorded as their declaration)

Every acknowledgement is one row per thing acknowledged plus one audit event; neither holds the
code. Guessing is limited per client and per code by `guard()` (users.throttle), which the entry
points call first and whose count they commit even when the code is refused.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import update
from sqlmodel import Session, col, select

from hygiene import keyed
from hygiene.acks.models import Acknowledgement
from hygiene.advisories.models import Advisory
from hygiene.audit import service as audit
from hygiene.clock import as_utc
from hygiene.db import row_id
from hygiene.errors import HygieneError
from hygiene.inventory.models import Account, Official
from hygiene.outbox.models import Message
from hygiene.policy.rules import local_date
from hygiene.users import throttle

CLIENT_LIMIT = throttle.Limit(limit=10, window=timedelta(minutes=15), lockout=timedelta(minutes=30))
CODE_LIMIT = throttle.Limit(limit=5, window=timedelta(hours=1), lockout=timedelta(hours=1))
WHAT_BY_CAMPAIGN = {
    "rotation": "rotation",
    "browser": "browser",
    "digest": "advisory",
    "escalation": "escalation",
    "attest": "attest",
}


class AckRejected(HygieneError):
    """The code cannot be used: `code` says why (ack.invalid, ack.used, ack.expired)."""

    code = "ack.invalid"


class AckLocked(HygieneError):
    code = "ack.locked"


@dataclass(frozen=True)
class AckResult:
    message_id: int | None
    official_id: int
    what: str
    on: date
    accounts: tuple[str, ...] = ()  # systems, e.g. "Email công vụ"
    advisories: tuple[str, ...] = ()  # titles


def _ids(payload: str) -> list[int]:
    return [int(part) for part in payload.split(",") if part.strip().isdigit()]


def guard(
    session: Session, *, client: str, typed: str, secret: bytes, now: datetime, zone: ZoneInfo
) -> None:
    """Count one attempt for `client` (an IP, a phone) and for the code typed; raise AckLocked
    while either is locked out."""
    verdicts = [throttle.hit(session, key=f"ack:client:{client}"[:200], rule=CLIENT_LIMIT, now=now)]
    normal = keyed.normalise(typed)
    if normal is not None:
        key = f"ack:code:{keyed.code_hmac(secret, normal)}"
        verdicts.append(throttle.hit(session, key=key, rule=CODE_LIMIT, now=now))
    locked = [v.locked_until for v in verdicts if not v.allowed and v.locked_until is not None]
    if locked:
        raise AckLocked(until=max(locked).astimezone(zone).replace(tzinfo=None))


def find_message(
    session: Session, *, typed: str, secret: bytes, now: datetime, sender_phone: str | None = None
) -> Message:
    """The message a typed code belongs to, if it can still be acknowledged; else AckRejected."""
    normal = keyed.normalise(typed)
    if normal is None:
        raise AckRejected("ack.malformed")
    message = session.exec(
        select(Message).where(Message.ack_hmac == keyed.code_hmac(secret, normal))
    ).first()
    # Messages to console users and notices (incident receipts) take no acknowledgement.
    if message is None or message.official_id is None or message.campaign not in WHAT_BY_CAMPAIGN:
        raise AckRejected("ack.invalid")
    if sender_phone is not None:
        official = session.get(Official, message.official_id)
        if official is None or official.phone != sender_phone:
            raise AckRejected("ack.invalid")
    if message.acknowledged_at is not None:
        raise AckRejected("ack.used")
    if message.ack_expires_at is None or as_utc(message.ack_expires_at) <= now:
        raise AckRejected("ack.expired")
    return message


def acknowledge(
    session: Session,
    *,
    typed: str,
    how: str,
    actor: str | None,
    now: datetime,
    secret: bytes,
    zone: ZoneInfo,
    note: str | None = None,
    sender_phone: str | None = None,
) -> AckResult:
    """Use a code: apply its effect, write acknowledgement rows and one audit event.
    `actor` None means the message's own official (who holds the code)."""
    message = find_message(session, typed=typed, secret=secret, now=now, sender_phone=sender_phone)
    _claim(session, message, now)
    actor = actor or _owner(session, message)
    what = WHAT_BY_CAMPAIGN.get(message.campaign, message.campaign[:16])
    result = _apply(
        session, message=message, what=what, today=local_date(now, zone), now=now, how=how
    )
    record(
        session,
        result=result,
        how=how,
        actor=actor,
        now=now,
        note=note,
        accounts=_account_ids(session, message, what) if what in ("rotation", "attest") else [],
        advisories=_ids(message.payload) if what == "advisory" else [],
    )
    _log_recorded(
        session, message, what=what, how=how, actor=actor, note=note, now=now, secret=secret
    )
    return result


def _log_recorded(
    session: Session,
    message: Message,
    *,
    what: str,
    how: str,
    actor: str,
    note: str | None,
    now: datetime,
    secret: bytes,
) -> None:
    """The acknowledgement's one audit event (it never holds the code)."""
    data = {"what": what, "how": how, "official": message.official_id, "note": note or ""}
    audit.append(
        session,
        key=audit.audit_key(secret),
        now=now,
        actor=actor,
        action="ack.recorded",
        subject=f"message:{row_id(message.id)}",
        data=data,
    )


def _claim(session: Session, message: Message, now: datetime) -> None:
    """Mark the message acknowledged, or AckRejected("ack.used") if it already is.
    Conditional update: of two concurrent uses of one code, exactly one wins."""
    claimed = session.execute(
        update(Message)
        .where(col(Message.id) == message.id, col(Message.acknowledged_at).is_(None))
        .values(acknowledged_at=now)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        raise AckRejected("ack.used")


def _owner(session: Session, message: Message) -> str:
    owner = session.get(Official, message.official_id)
    return f"official:{owner.employee_id}" if owner else f"official-id:{message.official_id}"


def _account_ids(session: Session, message: Message, what: str) -> list[int]:
    query = select(Account.id).where(Account.official_id == message.official_id)
    if what in ("rotation", "attest"):
        query = query.where(col(Account.id).in_(_ids(message.payload)))
    elif what != "browser":
        return []
    return [row_id(i) for i in session.exec(query.order_by(col(Account.id))).all()]


def _apply(
    session: Session, *, message: Message, what: str, today: date, now: datetime, how: str
) -> AckResult:
    ids = _account_ids(session, message, what)
    if what == "rotation":  # declared: the evidence is the acknowledgement (how, when)
        set_accounts(
            session,
            ids,
            last_rotated_on=today,
            rotation_source=how,
            rotation_seen_at=now,
            updated_at=now,
        )
    elif what == "browser":
        set_accounts(session, ids, browser_saved=False, updated_at=now)
    elif what == "attest":
        set_accounts(session, ids, mfa=True, browser_saved=False, updated_at=now)
    read = titles(session, _ids(message.payload)) if what == "advisory" else []
    official = row_id(message.official_id)  # find_message refuses messages to console users
    return AckResult(message.id, official, what, today, tuple(systems(session, ids)), tuple(read))


def set_accounts(session: Session, ids: Sequence[int], **values: object) -> None:
    if ids:
        session.execute(update(Account).where(col(Account.id).in_(ids)).values(**values))


def systems(session: Session, ids: Sequence[int]) -> list[str]:
    if not ids:
        return []
    query = select(Account.system).where(col(Account.id).in_(ids)).order_by(col(Account.system))
    return list(session.exec(query).all())


def titles(session: Session, ids: Sequence[int]) -> list[str]:
    if not ids:
        return []
    query = select(Advisory.title).where(col(Advisory.id).in_(ids)).order_by(col(Advisory.id))
    return list(session.exec(query).all())


def record(
    session: Session,
    *,
    result: AckResult,
    how: str,
    actor: str,
    now: datetime,
    note: str | None,
    accounts: Sequence[int],
    advisories: Sequence[int],
) -> None:
    common: dict[str, Any] = {
        "what": result.what,
        "how": how,
        "official_id": result.official_id,
        "actor": actor[:200],
        "at": now,
        "acted_on": result.on,
        "message_id": result.message_id,
        "note": (note or "").strip()[:500] or None,
    }
    if accounts:
        rows = [Acknowledgement(**common, account_id=a) for a in accounts]
    elif advisories:
        rows = [Acknowledgement(**common, advisory_id=a) for a in advisories]
    else:
        rows = [Acknowledgement(**common)]
    session.add_all(rows)
    session.flush()
