"""/console/inventory: browse and search officials (staff), edit them and their accounts (admin)."""

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from hygiene.errors import HygieneError
from hygiene.inventory import edits, totals
from hygiene.inventory import service as inventory
from hygiene.reports import listing
from hygiene.web.api.common import validation_context
from hygiene.web.auth import AdminDep, Principal, StaffDep
from hygiene.web.console.common import PAGE_SIZE, Csrf, Pager, page, redirect
from hygiene.web.deps import DepsDep, LocaleDep, SessionDep

router = APIRouter(prefix="/inventory")


@router.get("", response_class=HTMLResponse)
def officials(
    request: Request,
    locale: LocaleDep,
    session: SessionDep,
    principal: StaffDep,
    q: str = "",
    unit: str = "",
    inactive: bool = False,
    offset: int = 0,
) -> HTMLResponse:
    offset = max(0, offset)
    rows, total = totals.officials_page(
        session,
        unit=unit or None,
        search=q or None,
        include_inactive=inactive,
        limit=PAGE_SIZE,
        offset=offset,
    )
    return page(
        request,
        "console/inventory.html",
        locale,
        principal,
        rows=rows,
        units=inventory.list_units(session),
        q=q,
        unit=unit,
        inactive=inactive,
        pager=Pager(offset=offset, total=total),
    )


def _detail(
    request: Request,
    locale: LocaleDep,
    session: SessionDep,
    deps: DepsDep,
    principal: Principal,
    employee_id: str,
    error: str | None = None,
) -> HTMLResponse:
    return page(
        request,
        "console/official.html",
        locale,
        principal,
        status_code=400 if error else 200,
        official=inventory.show_official(session, employee_id=employee_id),
        acks=listing.acks(session, employee_id=employee_id, limit=20)[0],
        units=inventory.list_units(session),
        kinds=deps.settings.kinds,
        error=error,
    )


@router.get("/officials/{employee_id}", response_class=HTMLResponse)
def official(
    request: Request,
    employee_id: str,
    locale: LocaleDep,
    session: SessionDep,
    deps: DepsDep,
    principal: StaffDep,
) -> HTMLResponse:
    return _detail(request, locale, session, deps, principal, employee_id)


@router.post("/officials/{employee_id}", dependencies=[Csrf])
def edit_official(
    request: Request,
    employee_id: str,
    locale: LocaleDep,
    session: SessionDep,
    deps: DepsDep,
    principal: AdminDep,
    full_name: Annotated[str, Form()],
    unit: Annotated[str, Form()],
    email: Annotated[str, Form()] = "",
    phone: Annotated[str, Form()] = "",
    preferred_channels: Annotated[str, Form()] = "",
) -> Response:
    changes = edits.OfficialChanges(
        full_name=full_name,
        unit=unit,
        email=email,
        phone=phone,
        preferred_channels=preferred_channels,
    )
    try:
        edits.update_official(
            session,
            employee_id=employee_id,
            changes=changes,
            context=validation_context(deps),
            key=deps.audit_key,
            now=deps.clock.now(),
            actor=principal.actor,
        )
    except HygieneError as exc:
        session.rollback()
        error = exc.render(locale)
        return _detail(request, locale, session, deps, principal, employee_id, error)
    return redirect(f"/console/inventory/officials/{employee_id}", "saved")


@router.post("/officials/{employee_id}/deactivate", dependencies=[Csrf])
def deactivate(
    employee_id: str, session: SessionDep, deps: DepsDep, principal: AdminDep
) -> Response:
    inventory.deactivate_official(
        session,
        employee_id=employee_id,
        key=deps.audit_key,
        now=deps.clock.now(),
        actor=principal.actor,
    )
    return redirect(f"/console/inventory/officials/{employee_id}", "deactivated")


@router.post("/accounts/{account_id}", dependencies=[Csrf])
def edit_account(
    request: Request,
    account_id: int,
    locale: LocaleDep,
    session: SessionDep,
    deps: DepsDep,
    principal: AdminDep,
    employee_id: Annotated[str, Form()],
    kind: Annotated[str, Form()],
    last_rotated: Annotated[str, Form()] = "",
    mfa: Annotated[bool, Form()] = False,
    browser_saved: Annotated[bool, Form()] = False,
) -> Response:
    changes = edits.AccountChanges(
        kind=kind, last_rotated=last_rotated or None, mfa=mfa, browser_saved=browser_saved
    )
    try:
        edits.update_account(
            session,
            account_id=account_id,
            changes=changes,
            context=validation_context(deps),
            key=deps.audit_key,
            now=deps.clock.now(),
            actor=principal.actor,
        )
    except HygieneError as exc:
        session.rollback()
        error = exc.render(locale)
        return _detail(request, locale, session, deps, principal, employee_id, error)
    return redirect(f"/console/inventory/officials/{employee_id}", "saved")
