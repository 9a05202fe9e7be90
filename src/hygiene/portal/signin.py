"""Portal sign-in with a one-time code: no password of ours.

The official names themselves (employee id, email or phone); if that matches an active official,
a random 8-character code is issued, valid for CODE_TTL and MAX_ATTEMPTS tries, and only its keyed
hash is stored. Issuing a code retires the official's earlier unused ones. Entry points answer the
same whether or not the identifier matched (no enumeration) and limit attempts per client.
"""

import hmac
from datetime import datetime, timedelta

from sqlalchemy import func, or_, update
from sqlmodel import Session, col, select

from hygiene.clock import as_utc
from hygiene.errors import HygieneError
from hygiene.inventory import values
from hygiene.inventory.models import Official
from hygiene.keyed import keyed_hash, new_code, normalise
from hygiene.portal.models import PortalCode

CODE_TTL = timedelta(minutes=10)
MAX_ATTEMPTS = 5
_PURPOSE = "portal-sign-in"


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


def issue(session: Session, *, official_id: int, secret: bytes, now: datetime) -> tuple[int, str]:
    """A new code for the official: returns (row id, code). Earlier unused codes stop working."""
    session.execute(
        update(PortalCode)
        .where(col(PortalCode.official_id) == official_id, col(PortalCode.used_at).is_(None))
        .values(expires_at=now)
    )
    code = new_code()
    row = PortalCode(
        official_id=official_id,
        code_hmac=keyed_hash(secret, _PURPOSE, code),
        created_at=now,
        expires_at=now + CODE_TTL,
    )
    session.add(row)
    session.flush()
    if row.id is None:
        raise RuntimeError("portal code was not stored")
    return row.id, code


def mark_sent(session: Session, *, code_id: int, channel: str) -> None:
    session.execute(
        update(PortalCode).where(col(PortalCode.id) == code_id).values(channel=channel[:32])
    )


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
