"""/api/v1/officials: list, show (staff); create, edit, deactivate (admin)."""

from fastapi import APIRouter
from pydantic import ValidationError

from hygiene.inventory import edits, totals
from hygiene.inventory import service as inventory
from hygiene.inventory.schemas import OfficialCreate
from hygiene.inventory.service import OfficialDetail, OfficialPublic
from hygiene.web.api.common import PREFIX, Limit, Offset, Page, validation_context
from hygiene.web.auth import AdminDep, StaffDep
from hygiene.web.deps import DepsDep, SessionDep

router = APIRouter(prefix=f"{PREFIX}/officials", tags=["officials"])


@router.get("")
def list_officials(
    session: SessionDep,
    _: StaffDep,
    unit: str | None = None,
    search: str | None = None,
    include_inactive: bool = False,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[OfficialPublic]:
    items, total = totals.officials_page(
        session,
        unit=unit,
        search=search,
        include_inactive=include_inactive,
        limit=limit,
        offset=offset,
    )
    return Page(items=items, total=total, limit=limit, offset=offset)


@router.get("/{employee_id}")
def show_official(employee_id: str, session: SessionDep, _: StaffDep) -> OfficialDetail:
    return inventory.show_official(session, employee_id=employee_id)


@router.post("", status_code=201)
def create_official(
    body: dict[str, object], session: SessionDep, deps: DepsDep, principal: AdminDep
) -> OfficialDetail:
    try:
        data = OfficialCreate.model_validate(body, context=validation_context(deps))
    except ValidationError as exc:
        raise edits.rejected(exc) from None
    inventory.add_official(
        session, data=data, key=deps.audit_key, now=deps.clock.now(), actor=principal.actor
    )
    return inventory.show_official(session, employee_id=data.employee_id)


@router.patch("/{employee_id}")
def edit_official(
    employee_id: str,
    body: edits.OfficialChanges,
    session: SessionDep,
    deps: DepsDep,
    principal: AdminDep,
) -> OfficialDetail:
    edits.update_official(
        session,
        employee_id=employee_id,
        changes=body,
        context=validation_context(deps),
        key=deps.audit_key,
        now=deps.clock.now(),
        actor=principal.actor,
    )
    return inventory.show_official(session, employee_id=employee_id)


@router.delete("/{employee_id}")
def deactivate_official(
    employee_id: str, session: SessionDep, deps: DepsDep, principal: AdminDep
) -> OfficialDetail:
    inventory.deactivate_official(
        session,
        employee_id=employee_id,
        key=deps.audit_key,
        now=deps.clock.now(),
        actor=principal.actor,
    )
    return inventory.show_official(session, employee_id=employee_id)
