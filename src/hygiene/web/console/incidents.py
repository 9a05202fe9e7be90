"""/console/incidents: the reports of extortion attempts and suspicious messages (security).

A list (newest first, filtered by status) and a page per report with its description, the
reporting official, the notes, and the status: new → forwarded (to the police) → closed.
Every change of status and every note is an audit event (incidents.service).
"""

from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response
from sqlmodel import Session, col, select

from hygiene.errors import HygieneError
from hygiene.incidents import notify
from hygiene.incidents import service as incidents
from hygiene.incidents.models import STATUSES
from hygiene.inventory.models import Official, Unit
from hygiene.web.auth import Principal, SecurityDep
from hygiene.web.console.common import Csrf, page, redirect
from hygiene.web.deps import DepsDep, LocaleDep, SessionDep

router = APIRouter(prefix="/incidents")


@router.get("", response_class=HTMLResponse)
def listing(
    request: Request,
    locale: LocaleDep,
    session: SessionDep,
    principal: SecurityDep,
    status: str = "",
) -> HTMLResponse:
    chosen = status if status in STATUSES else None
    rows = incidents.list_reports(session, status=chosen)
    people = _reporters(session, [r.official_id for r in rows if r.official_id is not None])
    return page(
        request,
        "console/incidents.html",
        locale,
        principal,
        rows=rows,
        people=people,
        reference=notify.reference,
        statuses=STATUSES,
        status=chosen or "",
    )


def _reporters(session: Session, ids: list[int]) -> dict[int, str]:
    if not ids:
        return {}
    query = (
        select(Official.id, Official.full_name, Unit.name)
        .join(Unit, col(Unit.id) == col(Official.unit_id))
        .where(col(Official.id).in_(ids))
    )
    return {i: f"{name} ({unit})" for i, name, unit in session.exec(query).all() if i}


def _detail(
    request: Request,
    locale: str,
    session: Session,
    principal: Principal,
    incident_id: int,
    error: str | None = None,
) -> HTMLResponse:
    row = incidents.get(session, incident_id=incident_id)
    ids = [row.official_id] if row.official_id is not None else []
    return page(
        request,
        "console/incident.html",
        locale,
        principal,
        status_code=400 if error else 200,
        row=row,
        reporter=_reporters(session, ids).get(row.official_id or 0, row.reported_by),
        reference=notify.reference(row),
        notes=incidents.notes(session, incident_id=incident_id),
        statuses=STATUSES,
        error=error,
    )


@router.get("/{incident_id}", response_class=HTMLResponse)
def detail(
    request: Request,
    locale: LocaleDep,
    session: SessionDep,
    principal: SecurityDep,
    incident_id: int,
) -> HTMLResponse:
    return _detail(request, locale, session, principal, incident_id)


def _saved_or_detail(
    request: Request,
    locale: str,
    session: Session,
    principal: Principal,
    incident_id: int,
    change: Callable[[], object],
) -> Response:
    """Apply one change to a report: back to its page with "saved", or the page with the error."""
    try:
        change()
    except HygieneError as exc:
        session.rollback()
        return _detail(request, locale, session, principal, incident_id, exc.render(locale))
    return redirect(f"/console/incidents/{incident_id}", "saved")


@router.post("/{incident_id}/status", dependencies=[Csrf])
def change_status(
    request: Request,
    locale: LocaleDep,
    session: SessionDep,
    deps: DepsDep,
    principal: SecurityDep,
    incident_id: int,
    status: Annotated[str, Form(max_length=16)],
) -> Response:
    def change() -> object:
        return incidents.set_status(
            session,
            incident_id=incident_id,
            status=status,
            actor=principal.actor,
            now=deps.clock.now(),
            key=deps.audit_key,
        )

    return _saved_or_detail(request, locale, session, principal, incident_id, change)


@router.post("/{incident_id}/notes", dependencies=[Csrf])
def add_note(
    request: Request,
    locale: LocaleDep,
    session: SessionDep,
    deps: DepsDep,
    principal: SecurityDep,
    incident_id: int,
    text: Annotated[str, Form(max_length=20_000)],
) -> Response:
    def change() -> object:
        return incidents.add_note(
            session,
            incident_id=incident_id,
            text=text,
            actor=principal.actor,
            now=deps.clock.now(),
            key=deps.audit_key,
        )

    return _saved_or_detail(request, locale, session, principal, incident_id, change)
