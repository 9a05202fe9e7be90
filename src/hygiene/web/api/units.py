"""/api/v1/units: list (staff) and create (admin)."""

from fastapi import APIRouter
from pydantic import BaseModel

from hygiene.inventory import service as inventory
from hygiene.inventory.service import UnitPublic
from hygiene.web.api.common import PREFIX, Limit, Offset, Page
from hygiene.web.auth import AdminDep, StaffDep
from hygiene.web.deps import DepsDep, SessionDep

router = APIRouter(prefix=f"{PREFIX}/units", tags=["units"])


class UnitCreate(BaseModel):
    name: str
    parent: str | None = None


@router.get("")
def list_units(
    session: SessionDep, _: StaffDep, limit: Limit = 50, offset: Offset = 0
) -> Page[UnitPublic]:
    rows = inventory.list_units(session)  # units are few: page in memory
    return Page(items=rows[offset : offset + limit], total=len(rows), limit=limit, offset=offset)


@router.post("", status_code=201)
def create_unit(
    body: UnitCreate, session: SessionDep, deps: DepsDep, principal: AdminDep
) -> UnitPublic:
    name = " ".join(body.name.split())
    inventory.add_unit(
        session,
        name=name,
        parent=body.parent,
        key=deps.audit_key,
        now=deps.clock.now(),
        actor=principal.actor,
    )
    return next(u for u in inventory.list_units(session) if u.name == name)
