"""Portal sign-in with a one-time code: no password of ours.

The official names themselves (employee id, email or phone); if that matches an active official,
an 8-character code is issued, valid for CODE_TTL and MAX_ATTEMPTS tries, and only its keyed
hash is stored; the code goes out as an urgent outbox message (issue). Issuing a code retires
the official's earlier unused ones. Entry points answer the same whether or not the identifier
matched, in the same time (no enumeration), and limit attempts per client.
"""

import hmac
import secrets
from datetime import date, datetime, timedelta

from sqlalchemy import func, or_, update
from sqlmodel import Session, col, select

from hygiene.clock import as_utc
from hygiene.errors import HygieneError
from hygiene.inventory import values
from hygiene.inventory.models import Official
from hygiene.keyed import code_for, keyed_hash, normalise
from hygiene.outbox import service as outbox
from hygiene.portal.models import PortalCode

CODE_TTL = timedelta(minutes=10)
MAX_ATTEMPTS = 5
_PURPOSE = "portal-sign-in"
CAMPAIGN, KIND = "portal", "portal_sign_in"  # the outbox message (outbox.compose.SIGN_IN)


class SignInRejected(HygieneError):
    """One answer for a wrong, used, expired or over-tried code."""

    code = "portal.signin.code_wrong"


def _phone(identifier: str) -> str | None:
    try:
        return values.phone(identifier)
    except values.FieldError:
        return None


def find_official(session: Session, *, identifier: str) -> Official | None:
    """The active official an identifier names: employee id (any case), email or phone."""
    raw = " ".join(identifier.split())[:254]
    if not raw:
        return None
    matches = [func.upper(col(Official.employee_id)) == raw.upper()]
    if "@" in raw:
        matches.append(func.lower(col(Official.email)) == raw.lower())
    elif (phone := _phone(raw)) is not None:
        matches.append(col(Official.phone) == phone)
    return session.exec(
        select(Official).where(or_(*matches), col(Official.active)).order_by(col(Official.id))
    ).first()


def issue(session: Session, *, official_id: int, secret: bytes, now: datetime, today: date) -> str:
    """A new code for the official, enqueued on the outbox's urgent lane; its message's key.

    Earlier unused codes stop working. The code is keyed.code_for(secret, key): the worker that
    sends the message derives it again (outbox.compose), so it is stored nowhere, only its keyed
    hash here. The key holds a random part, so a code cannot be derived from row ids. The caller
    commits, then wakes the delivery loop (Deps.wake_delivery).
    """
    session.execute(
        update(PortalCode)
        .where(col(PortalCode.official_id) == official_id, col(PortalCode.used_at).is_(None))
        .values(expires_at=now)
    )
    key = f"{_PURPOSE}:{official_id}:{secrets.token_hex(8)}"
    row = PortalCode(
        official_id=official_id,
        code_hmac=keyed_hash(secret, _PURPOSE, code_for(secret, key)),
        created_at=now,
        expires_at=now + CODE_TTL,
    )
    session.add(row)
    session.flush()
    outbox.enqueue_urgent(
        session,
        idempotency_key=key,
        campaign=CAMPAIGN,
        kind=KIND,
        official_id=official_id,
        payload=str(row.id),
        now=now,
        today=today,
    )
    return key


def verify(
    session: Session, *, identifier: str, typed: str, secret: bytes, now: datetime
) -> Official:
    """The official whose latest live code this is; SignInRejected otherwise (one answer)."""
    official = find_official(session, identifier=identifier)
    normal = normalise(typed)
    if official is None:
        raise SignInRejected()
    row = session.exec(
        select(PortalCode)
        .where(PortalCode.official_id == official.id, col(PortalCode.used_at).is_(None))
        .order_by(col(PortalCode.id).desc())
    ).first()
    if row is None or as_utc(row.expires_at) <= now or row.attempts >= MAX_ATTEMPTS:
        raise SignInRejected()
    row.attempts += 1
    session.add(row)
    digest = keyed_hash(secret, _PURPOSE, normal or "")
    if normal is None or not hmac.compare_digest(digest, row.code_hmac):
        session.flush()
        raise SignInRejected()
    row.used_at = now
    session.flush()
    return official
