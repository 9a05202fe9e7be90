"""/console/deliveries and /console/system: the outbox with retry, channel health and alerts,
and the rotation policies in effect (admin)."""

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, Response

from hygiene.outbox import queries
from hygiene.outbox.service import STATUSES
from hygiene.reports import listing
from hygiene.web.api.messages import retry_message
from hygiene.web.auth import AdminDep
from hygiene.web.console.common import PAGE_SIZE, Csrf, Pager, page, redirect
from hygiene.web.deps import DepsDep, LocaleDep, RuntimeDep, SessionDep

router = APIRouter()


@router.get("/deliveries", response_class=HTMLResponse)
def deliveries(
    request: Request,
    locale: LocaleDep,
    session: SessionDep,
    principal: AdminDep,
    status: str = "",
    employee_id: str = "",
    offset: int = 0,
) -> HTMLResponse:
    offset = max(0, offset)
    rows, total = listing.messages(
        session,
        status=status or None,
        employee_id=employee_id or None,
        limit=PAGE_SIZE,
        offset=offset,
    )
    return page(
        request,
        "console/deliveries.html",
        locale,
        principal,
        rows=rows,
        counts=listing.status_counts(session),
        statuses=STATUSES,
        status=status,
        employee_id=employee_id,
        pager=Pager(offset=offset, total=total),
    )


@router.get("/deliveries/{message_id}", response_class=HTMLResponse)
def delivery(
    request: Request, message_id: int, locale: LocaleDep, session: SessionDep, principal: AdminDep
) -> HTMLResponse:
    found = queries.show_message(session, message_id)
    if found is None:
        raise HTTPException(404, "http.404")
    return page(request, "console/delivery.html", locale, principal, message=found)


@router.post("/deliveries/{message_id}/retry", dependencies=[Csrf])
def retry(message_id: int, session: SessionDep, deps: DepsDep, principal: AdminDep) -> Response:
    done = retry_message(session, deps, message_id=message_id, actor=principal.actor)
    return redirect(f"/console/deliveries/{message_id}", "retried" if done else "not_retried")


@router.get("/system", response_class=HTMLResponse)
def system(
    request: Request, locale: LocaleDep, deps: DepsDep, runtime: RuntimeDep, principal: AdminDep
) -> HTMLResponse:
    channels = sorted(set(runtime.channels) | set(runtime.channel_errors))
    return page(
        request,
        "console/system.html",
        locale,
        principal,
        runtime=runtime,
        channels=channels,
        policies=deps.settings.policies,
        settings=deps.settings,
    )
