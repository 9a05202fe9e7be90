"""Unit heads: who receives a unit's escalations, and which units have nobody to receive them.

A head must be an active official of the unit itself. A unit with no head (or an inactive one)
escalates to the security officers instead (campaigns.escalation); the dashboard lists it.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from hygiene.audit import service as audit
from hygiene.errors import InvalidInput, NotFound
from hygiene.inventory.models import Official, Unit


@dataclass(frozen=True)
class Headless:
    unit_id: int
    name: str


def _unit(session: Session, name: str) -> Unit:
    unit = session.exec(select(Unit).where(Unit.name == name.strip())).first()
    if unit is None:
        raise NotFound("unit.not_found", name=name)
    return unit


def set_head(
    session: Session,
    *,
    unit: str,
    employee_id: str | None,
    key: bytes,
    now: datetime,
    actor: str,
) -> Unit:
    """Name the unit's head (None clears it). The head must be an active official of the unit."""
    row = _unit(session, unit)
    head: Official | None = None
    if employee_id:
        head = session.exec(
            select(Official).where(Official.employee_id == employee_id.strip())
        ).first()
        if head is None:
            raise NotFound("official.not_found", employee_id=employee_id)
        if head.unit_id != row.id:
            raise InvalidInput("unit_head.other_unit", employee_id=head.employee_id, name=row.name)
        if not head.active:
            raise InvalidInput("unit_head.inactive", employee_id=head.employee_id)
    before = row.head_official_id
    row.head_official_id = head.id if head else None
    session.add(row)
    session.flush()
    audit.append(
        session,
        key=key,
        now=now,
        actor=actor,
        action="unit.head_set",
        subject=f"unit:{row.name}",
        data={"before": before, "after": row.head_official_id},
    )
    return row


def head_of(session: Session, unit: Unit) -> Official | None:
    if unit.head_official_id is None:
        return None
    return session.get(Official, unit.head_official_id)


def without_head(session: Session) -> list[Headless]:
    """Units with active officials and no active head, by name.

    One row per unit: the head is a primary-key look-up and "has an active official" an
    indexed probe of official.unit_id that stops at the first one, so the dashboard's cost
    follows the number of units, not of officials."""
    head = aliased(Official)
    member = aliased(Official)
    staffed = (
        select(col(member.id))
        .where(col(member.unit_id) == col(Unit.id), col(member.active))
        .exists()
    )
    query = (
        select(col(Unit.id), col(Unit.name))
        .outerjoin(head, col(head.id) == col(Unit.head_official_id))
        .where(staffed, or_(col(head.id).is_(None), ~col(head.active)))
        .order_by(col(Unit.name))
    )
    return [Headless(i, n) for i, n in session.execute(query)]
