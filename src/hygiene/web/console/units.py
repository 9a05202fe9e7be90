"""/console/units: each unit with its head, and the unit's page where an admin names the head
(the official who receives the unit's escalations). A unit with no head escalates to the
security officers; the list and the dashboard say so."""

from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, Response
from sqlmodel import Session, col, select

from hygiene.errors import HygieneError
from hygiene.inventory import heads
from hygiene.inventory import service as inventory
from hygiene.inventory.models import Official, Unit
from hygiene.web.auth import AdminDep, Principal, StaffDep
from hygiene.web.console.common import Csrf, page, redirect
from hygiene.web.deps import DepsDep, LocaleDep, SessionDep

router = APIRouter(prefix="/inventory/units")


@router.get("", response_class=HTMLResponse)
def listing(
    request: Request, locale: LocaleDep, session: SessionDep, principal: StaffDep
) -> HTMLResponse:
    head = {u.id: u.head_official_id for u in session.exec(select(Unit)).all()}
    names = dict(
        session.exec(
            select(Official.id, Official.full_name).where(
                col(Official.id).in_([h for h in head.values() if h is not None])
            )
        ).all()
    )
    return page(
        request,
        "console/units.html",
        locale,
        principal,
        units=inventory.list_units(session),
        heads={unit: names.get(h) for unit, h in head.items() if h is not None},
        headless={h.unit_id for h in heads.without_head(session)},
    )


def _unit_page(
    request: Request,
    locale: str,
    session: Session,
    principal: Principal,
    unit_id: int,
    error: str | None = None,
) -> HTMLResponse:
    unit = session.get(Unit, unit_id)
    if unit is None:
        raise HTTPException(404, "http.404")
    members = session.exec(
        select(Official)
        .where(Official.unit_id == unit_id, col(Official.active))
        .order_by(col(Official.full_name))
    ).all()
    return page(
        request,
        "console/unit.html",
        locale,
        principal,
        status_code=400 if error else 200,
        unit=unit,
        head=heads.head_of(session, unit),
        members=members,
        error=error,
    )


@router.get("/{unit_id}", response_class=HTMLResponse)
def unit_page(
    request: Request, locale: LocaleDep, session: SessionDep, principal: StaffDep, unit_id: int
) -> HTMLResponse:
    return _unit_page(request, locale, session, principal, unit_id)


@router.post("/{unit_id}/head", dependencies=[Csrf])
def set_head(
    request: Request,
    locale: LocaleDep,
    session: SessionDep,
    deps: DepsDep,
    principal: AdminDep,
    unit_id: int,
    employee_id: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    unit = session.get(Unit, unit_id)
    if unit is None:
        raise HTTPException(404, "http.404")
    try:
        heads.set_head(
            session,
            unit=unit.name,
            employee_id=employee_id or None,
            key=deps.audit_key,
            now=deps.clock.now(),
            actor=principal.actor,
        )
    except HygieneError as exc:
        session.rollback()
        return _unit_page(request, locale, session, principal, unit_id, exc.render(locale))
    return redirect(f"/console/inventory/units/{unit_id}", "saved")
