"""Issue device tokens, accept probe reports, and answer "who keeps passwords in a browser?".

An official whose latest report counts saved logins gets the browser campaign's targeted stage:
the planner reads `officials_with_saved_logins()` (one query over the latest report per device).
"""

import json
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from hygiene.audit import service as audit
from hygiene.db import row_id
from hygiene.devices.models import Device, ProbeReport
from hygiene.devices.schemas import ReportIn
from hygiene.inventory import service as inventory
from hygiene.inventory.models import Official
from hygiene.keyed import keyed_hash, new_token

TOKEN_PREFIX = "hygdev_"  # noqa: S105  (a public prefix, not a secret)


def add_device(
    session: Session, *, employee_id: str, name: str, secret: bytes, now: datetime, actor: str
) -> tuple[Device, str]:
    """Register a PC for an official; returns the device and its token (shown once)."""
    official = inventory.official_by_employee_id(session, employee_id)
    token = f"{TOKEN_PREFIX}{new_token()}"
    device = Device(
        official_id=row_id(official.id),
        name=name,
        created_at=now,
        token_hmac=keyed_hash(secret, "device-token", token),
    )
    session.add(device)
    session.flush()
    audit.append(
        session,
        key=audit.audit_key(secret),
        now=now,
        actor=actor,
        action="device.added",
        subject=f"official:{official.employee_id}",
        data={"device": name},
    )
    return device, token


def device_for_token(session: Session, *, token: str, secret: bytes) -> Device | None:
    if not token.startswith(TOKEN_PREFIX):
        return None
    digest = keyed_hash(secret, "device-token", token)
    return session.exec(
        select(Device).where(Device.token_hmac == digest, col(Device.revoked_at).is_(None))
    ).first()


def record_report(
    session: Session, *, device: Device, report: ReportIn, secret: bytes, now: datetime
) -> ProbeReport:
    readable = [p for p in report.profiles if p.saved_logins is not None]
    policies = [p.policy_disables_password_manager for p in report.profiles]
    row = ProbeReport(
        device_id=row_id(device.id),
        official_id=device.official_id,
        received_at=now,
        generated_at=report.generated_at,
        hostname=report.hostname,
        os=report.os,
        saved_logins=sum(p.saved_logins or 0 for p in readable),
        unreadable_profiles=len(report.profiles) - len(readable),
        policy_enforced=all(policies) if policies and None not in policies else None,
        profiles=json.dumps([p.model_dump() for p in report.profiles], sort_keys=True),
    )
    device.last_report_at, device.last_saved_logins = now, row.saved_logins
    session.add_all([row, device])
    session.flush()
    official = session.get(Official, device.official_id)
    audit.append(
        session,
        key=audit.audit_key(secret),
        now=now,
        actor=f"device:{device.name}",
        action="probe.reported",
        subject=f"official:{official.employee_id if official else device.official_id}",
        data={"saved_logins": row.saved_logins, "unreadable": row.unreadable_profiles},
    )
    return row


def officials_with_saved_logins(session: Session) -> list[int]:
    """Official ids whose devices' latest reports count at least one saved login."""
    query = (
        select(Device.official_id)
        .where(col(Device.revoked_at).is_(None), col(Device.last_saved_logins) > 0)
        .group_by(col(Device.official_id))
    )
    return list(session.exec(query))


def saved_logins_by_unit(session: Session) -> dict[int, tuple[int, int]]:
    """unit id → (officials with saved logins, saved logins counted), from the latest reports."""
    query = (
        select(
            Official.unit_id,
            func.count(func.distinct(Official.id)),
            func.sum(Device.last_saved_logins),
        )
        .join(Device, col(Device.official_id) == col(Official.id))
        .where(col(Device.revoked_at).is_(None), col(Device.last_saved_logins) > 0)
        .group_by(col(Official.unit_id))
    )
    return {unit: (int(people), int(total or 0)) for unit, people, total in session.execute(query)}
