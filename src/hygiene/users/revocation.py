"""Revocation and recovery: deactivate, reactivate and reset console users, revoke API tokens
and probe devices. Each action is one audit event, and takes effect on the very next request:
sessions and tokens are looked up on every request, and a deactivated user's sessions end here.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import update
from sqlmodel import Session, col, select

from hygiene.audit import service as audit
from hygiene.db import row_id
from hygiene.devices.models import Device
from hygiene.errors import NotFound
from hygiene.inventory.models import Official
from hygiene.keyed import keyed_hash, new_code
from hygiene.users import service as users
from hygiene.users.models import ApiToken, ConsoleUser, WebSession


def _log(
    session: Session, *, secret: bytes, now: datetime, actor: str, action: str, subject: str,
    data: dict[str, object] | None = None,
) -> None:  # fmt: skip
    audit.append(session, key=audit.audit_key(secret), now=now, actor=actor, action=action,
                 subject=subject, data=data or {})  # fmt: skip


def end_sessions(session: Session, *, user_id: int, now: datetime) -> int:
    result = session.execute(
        update(WebSession)
        .where(col(WebSession.user_id) == user_id, col(WebSession.revoked_at).is_(None))
        .values(revoked_at=now)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


def deactivate(
    session: Session, *, email: str, secret: bytes, now: datetime, actor: str
) -> ConsoleUser:
    """The user can no longer sign in, and every session and token of theirs stops working."""
    user = users.by_email(session, email)
    user.active = False
    session.add(user)
    ended = end_sessions(session, user_id=row_id(user.id), now=now)
    _log(session, secret=secret, now=now, actor=actor, action="console_user.deactivated",
         subject=f"user:{user.email}", data={"sessions_ended": ended})  # fmt: skip
    return user


def reactivate(
    session: Session, *, email: str, secret: bytes, now: datetime, actor: str
) -> ConsoleUser:
    user = users.by_email(session, email)
    user.active = True
    session.add(user)
    _log(session, secret=secret, now=now, actor=actor, action="console_user.reactivated",
         subject=f"user:{user.email}")  # fmt: skip
    return user


def reset(
    session: Session, *, email: str, secret: bytes, now: datetime, actor: str
) -> tuple[ConsoleUser, str]:
    """A new one-time setup code; the password, the TOTP and every session of the user end."""
    user = users.by_email(session, email)
    code = new_code()
    user.password_hash = user.totp_secret = user.totp_last_step = None
    user.setup_code_hmac = keyed_hash(secret, "setup", code)
    user.setup_expires_at = now + users.SETUP_VALID
    user.failed_logins, user.locked_until = 0, None
    session.add(user)
    ended = end_sessions(session, user_id=row_id(user.id), now=now)
    _log(session, secret=secret, now=now, actor=actor, action="console_user.reset",
         subject=f"user:{user.email}", data={"sessions_ended": ended})  # fmt: skip
    return user, f"{code[:4]}-{code[4:]}"


def tokens(session: Session, *, email: str) -> Sequence[ApiToken]:
    user = users.by_email(session, email)
    return session.exec(
        select(ApiToken).where(ApiToken.user_id == user.id).order_by(col(ApiToken.id))
    ).all()


def revoke_token(
    session: Session, *, token_id: int, secret: bytes, now: datetime, actor: str
) -> ApiToken:
    row = session.get(ApiToken, token_id)
    if row is None:
        raise NotFound("users.token_not_found", id=token_id)
    owner = session.get(ConsoleUser, row.user_id)
    if row.revoked_at is None:
        row.revoked_at = now
        session.add(row)
    _log(session, secret=secret, now=now, actor=actor, action="api_token.revoked",
         subject=f"user:{owner.email if owner else row.user_id}",
         data={"token": token_id, "name": row.name})  # fmt: skip
    return row


@dataclass(frozen=True)
class DeviceView:
    id: int
    name: str
    employee_id: str
    created_at: datetime
    last_report_at: datetime | None
    revoked_at: datetime | None


def devices(session: Session) -> list[DeviceView]:
    rows = session.execute(
        select(Device, Official.employee_id)
        .join(Official, col(Official.id) == col(Device.official_id))
        .order_by(col(Device.id))
    ).all()
    return [
        DeviceView(row_id(d.id), d.name, employee, d.created_at, d.last_report_at, d.revoked_at)
        for d, employee in rows
    ]


def revoke_device(
    session: Session, *, device_id: int, secret: bytes, now: datetime, actor: str
) -> Device:
    device = session.get(Device, device_id)
    if device is None:
        raise NotFound("devices.not_found", id=device_id)
    if device.revoked_at is None:
        device.revoked_at = now
        session.add(device)
    official = session.get(Official, device.official_id)
    _log(session, secret=secret, now=now, actor=actor, action="device.revoked",
         subject=f"official:{official.employee_id if official else device.official_id}",
         data={"device": device.name, "id": device_id})  # fmt: skip
    return device
