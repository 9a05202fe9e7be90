"""GET /api/v1/incidents: reports of threats and suspicious messages (security officer)."""

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel

from hygiene.clock import UtcDatetime
from hygiene.incidents import service as incidents
from hygiene.inventory.models import Official
from hygiene.web.api.common import PREFIX
from hygiene.web.auth import SecurityDep
from hygiene.web.deps import SessionDep

router = APIRouter(prefix=f"{PREFIX}/incidents")


class IncidentOut(BaseModel):
    id: int
    created_at: UtcDatetime
    reported_by: str
    employee_id: str | None
    channel: str
    occurred_on: str | None
    description: str
    status: str


@router.get("", response_model=list[IncidentOut], tags=["incidents"])
def list_incidents(session: SessionDep, _: SecurityDep, status: str | None = None) -> Any:
    rows = incidents.list_reports(session, status=status)
    ids = {r.official_id for r in rows if r.official_id is not None}
    employees = {o.id: o.employee_id for o in (session.get(Official, i) for i in ids) if o}
    return [
        IncidentOut(
            id=r.id or 0,
            created_at=r.created_at,
            reported_by=r.reported_by,
            employee_id=employees.get(r.official_id) if r.official_id else None,
            channel=r.channel,
            occurred_on=r.occurred_on.isoformat() if r.occurred_on else None,
            description=r.description,
            status=r.status,
        )
        for r in rows
    ]
