"""Console users: creation with a one-time setup code, sign-in, API tokens.

A console password is the console user's own secret: only its argon2 hash is stored, and it is
checked with zxcvbn before it is accepted (length ≥ 12, score ≥ 3).
"""

import unicodedata
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlmodel import Session, col, select

from hygiene.audit import service as audit
from hygiene.clock import as_utc
from hygiene.errors import Conflict, HygieneError, InvalidInput, NotFound
from hygiene.keyed import keyed_hash, new_code, new_token
from hygiene.policy import strength
from hygiene.users import totp as second_factor
from hygiene.users.models import ApiToken, ConsoleUser

ROLES = ("admin", "security")
SETUP_VALID = timedelta(days=7)
TOKEN_DAYS = 90  # settings.security.api_token_days is passed in by the entry points
LAST_USED_PRECISION = timedelta(minutes=1)
MIN_LENGTH = 12
MIN_SCORE = 3
NAME_MAX = 200  # console_user.display_name
_hasher = PasswordHasher()


class SignInFailed(HygieneError):
    """One message for unknown user, wrong password and wrong TOTP: no user enumeration."""

    code = "users.sign_in_failed"


def parse_roles(value: str) -> str:
    roles = sorted({part.strip().lower() for part in value.split(",") if part.strip()})
    if not roles or any(r not in ROLES for r in roles):
        raise InvalidInput("users.bad_roles")
    return ",".join(roles)


def by_email(session: Session, email: str) -> ConsoleUser:
    user = session.exec(
        select(ConsoleUser).where(ConsoleUser.email == email.strip().lower())
    ).first()
    if user is None:
        raise NotFound("users.not_found", email=email)
    return user


def add_user(
    session: Session,
    *,
    email: str,
    roles: str,
    secret: bytes,
    now: datetime,
    actor: str,
    display_name: str | None = None,
) -> tuple[ConsoleUser, str]:
    """Create a user and return the one-time setup code they use to choose a password.
    `display_name` ("Nguyễn Văn An") is how reports and notices name them, never the email."""
    address = email.strip().lower()
    if "@" not in address:
        raise InvalidInput("email.invalid")
    if session.exec(select(ConsoleUser.id).where(ConsoleUser.email == address)).first():
        raise Conflict("users.exists", email=address)
    code = new_code()
    user = ConsoleUser(
        email=address,
        roles=parse_roles(roles),
        display_name=clean_name(display_name),
        created_at=now,
        setup_code_hmac=keyed_hash(secret, "setup", code),
        setup_expires_at=now + SETUP_VALID,
    )
    session.add(user)
    session.flush()
    audit.append(
        session,
        key=audit.audit_key(secret),
        now=now,
        actor=actor,
        action="console_user.created",
        subject=f"user:{address}",
        data={"roles": user.roles, "display_name": user.display_name},
    )
    return user, f"{code[:4]}-{code[4:]}"


def clean_name(value: str | None) -> str | None:
    """A display name as people write it: NFC, single spaces, at most 200 characters."""
    if value is None:
        return None
    name = " ".join(unicodedata.normalize("NFC", value).split())
    if len(name) > NAME_MAX:
        raise InvalidInput("users.name_too_long", max=NAME_MAX)
    return name or None


def set_display_name(
    session: Session, *, email: str, name: str | None, secret: bytes, now: datetime, actor: str
) -> ConsoleUser:
    """Name (or unname) a console user; audited."""
    user = by_email(session, email)
    user.display_name = clean_name(name)
    session.add(user)
    audit.append(
        session,
        key=audit.audit_key(secret),
        now=now,
        actor=actor,
        action="console_user.renamed",
        subject=f"user:{user.email}",
        data={"display_name": user.display_name},
    )
    return user


def complete_setup(
    session: Session, *, email: str, code: str, password: str, secret: bytes, now: datetime
) -> ConsoleUser:
    try:
        user = by_email(session, email)
    except NotFound:  # the same answer as a wrong code: setup tells nobody who is a user
        raise InvalidInput("users.bad_setup_code") from None
    typed = "".join(code.split()).replace("-", "").upper()
    expires = as_utc(user.setup_expires_at) if user.setup_expires_at else None
    if (
        user.setup_code_hmac is None
        or expires is None
        or expires < now
        or user.setup_code_hmac != keyed_hash(secret, "setup", typed)
    ):
        raise InvalidInput("users.bad_setup_code")
    check_console_password(password, user_inputs=[user.email])
    user.password_hash = _hasher.hash(password)
    user.setup_code_hmac = user.setup_expires_at = None
    session.add(user)
    audit.append(
        session,
        key=audit.audit_key(secret),
        now=now,
        actor=f"user:{user.email}",
        action="console_user.password_set",
        subject=f"user:{user.email}",
    )
    return user


def check_console_password(password: str, *, user_inputs: list[str]) -> None:
    if len(password) < MIN_LENGTH:
        raise InvalidInput("users.password_short", min=MIN_LENGTH)
    if strength.evaluate(password, user_inputs=user_inputs).score < MIN_SCORE:
        raise InvalidInput("users.password_weak")


def authenticate(
    session: Session, *, email: str, password: str, totp: str | None, now: datetime, secret: bytes
) -> ConsoleUser:
    """The user, or SignInFailed. Failures never lock the account: the entry point slows the
    failing (account, client) down (web/console/auth.py), so nobody can lock an officer out."""
    user = session.exec(
        select(ConsoleUser).where(ConsoleUser.email == email.strip().lower())
    ).first()
    if user is None or not user.active or user.password_hash is None:
        _hasher.hash(password)  # spend the same time as a real check
        raise SignInFailed()
    step = _totp_step(user, totp, now=now, secret=secret)
    if not (_password_ok(user.password_hash, password) and step is not False):
        raise SignInFailed()
    user.failed_logins, user.locked_until, user.last_login_at = 0, None, now
    if isinstance(step, int):
        user.totp_last_step = step
    session.add(user)
    return user


def _password_ok(stored: str, password: str) -> bool:
    try:
        return _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def _totp_step(
    user: ConsoleUser, code: str | None, *, now: datetime, secret: bytes
) -> int | bool | None:
    """None: no TOTP enabled; False: refused; else the step the code used (never reusable)."""
    if user.totp_secret is None:
        return None
    seed = second_factor.unseal(user.totp_secret, secret=secret)
    if seed is None:
        return False
    step = second_factor.matching_step(seed, code, now=now, after=user.totp_last_step)
    return False if step is None else step


def enable_totp(session: Session, *, user: ConsoleUser, secret: bytes) -> str:
    """Give the user a TOTP seed (shown once, for their authenticator app), stored sealed."""
    seed = second_factor.new_seed()
    user.totp_secret = second_factor.seal(seed, secret=secret)
    user.totp_last_step = None
    session.add(user)
    return seed


def reseal_plaintext_totp(session: Session, *, secret: bytes) -> int:
    """Seal every TOTP seed an older release stored in clear; how many were sealed (the caller
    commits). A handful of console users: one row at a time is fine."""
    users = session.exec(select(ConsoleUser).where(col(ConsoleUser.totp_secret).is_not(None)))
    sealed = 0
    for user in users:
        if user.totp_secret and second_factor.is_plaintext(user.totp_secret):
            user.totp_secret = second_factor.seal(user.totp_secret, secret=secret)
            session.add(user)
            sealed += 1
    return sealed


def issue_token(
    session: Session,
    *,
    email: str,
    name: str,
    secret: bytes,
    now: datetime,
    actor: str,
    days: int = TOKEN_DAYS,
) -> str:
    """A new API token for `email`, valid `days` days (shown once; only its HMAC is kept)."""
    user = by_email(session, email)
    token = f"hyg_{new_token()}"
    session.add(
        ApiToken(
            user_id=user.id or 0,
            name=name,
            created_at=now,
            expires_at=now + timedelta(days=days),
            token_hmac=keyed_hash(secret, "api-token", token),
        )
    )
    audit.append(
        session,
        key=audit.audit_key(secret),
        now=now,
        actor=actor,
        action="api_token.issued",
        subject=f"user:{user.email}",
        data={"name": name, "days": days},
    )
    return token


def user_for_token(
    session: Session, *, token: str, secret: bytes, now: datetime
) -> ConsoleUser | None:
    """The active user of a live token (not revoked, not expired); records when it was used."""
    digest = keyed_hash(secret, "api-token", token)
    row = session.exec(
        select(ApiToken).where(ApiToken.token_hmac == digest, col(ApiToken.revoked_at).is_(None))
    ).first()
    if row is None or (row.expires_at is not None and as_utc(row.expires_at) <= now):
        return None
    user = session.get(ConsoleUser, row.user_id)
    if user is None or not user.active:
        return None
    used = as_utc(row.last_used_at) if row.last_used_at else None
    if used is None or now - used >= LAST_USED_PRECISION:  # one write a minute, not per call
        row.last_used_at = now
        session.add(row)
    return user


def list_users(session: Session) -> list[ConsoleUser]:
    return list(session.exec(select(ConsoleUser).order_by(col(ConsoleUser.email))))
