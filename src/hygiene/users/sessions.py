"""Server-side web sessions. The cookie holds a random token; the database holds its HMAC.

A sign-in always starts a NEW session (and ends the one the browser had), so a session id planted
before sign-in is worthless afterwards (session fixation).
"""

from datetime import UTC, datetime, timedelta

from sqlmodel import Session, col, select

from hygiene.keyed import keyed_hash, new_token
from hygiene.users.models import WebSession

CONSOLE_TTL = timedelta(hours=8)
OFFICIAL_TTL = timedelta(hours=2)


def _digest(secret: bytes, token: str) -> str:
    return keyed_hash(secret, "web-session", token)


def start(
    session: Session,
    *,
    kind: str,
    secret: bytes,
    now: datetime,
    user_id: int | None = None,
    official_id: int | None = None,
    previous: str | None = None,
) -> str:
    """Create a session and return the cookie token; `previous` (the old cookie) is ended."""
    if previous:
        end(session, token=previous, secret=secret, now=now)
    token = new_token()
    ttl = CONSOLE_TTL if kind == "console" else OFFICIAL_TTL
    session.add(
        WebSession(
            token_hmac=_digest(secret, token),
            kind=kind,
            user_id=user_id,
            official_id=official_id,
            created_at=now,
            expires_at=now + ttl,
        )
    )
    session.flush()
    return token


def resolve(
    session: Session, *, token: str | None, secret: bytes, now: datetime
) -> WebSession | None:
    if not token:
        return None
    row = session.exec(
        select(WebSession).where(
            WebSession.token_hmac == _digest(secret, token), col(WebSession.revoked_at).is_(None)
        )
    ).first()
    if row is None:
        return None
    expires = row.expires_at if row.expires_at.tzinfo else row.expires_at.replace(tzinfo=UTC)
    return row if expires > now else None


def end(session: Session, *, token: str, secret: bytes, now: datetime) -> None:
    row = session.exec(
        select(WebSession).where(WebSession.token_hmac == _digest(secret, token))
    ).first()
    if row is not None and row.revoked_at is None:
        row.revoked_at = now
        session.add(row)
