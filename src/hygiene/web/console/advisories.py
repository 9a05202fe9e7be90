"""/console/advisories: the security officer writes and publishes advisories to an audience."""

from typing import Annotated, TypedDict

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response
from sqlmodel import Session

from hygiene.advisories import audience
from hygiene.advisories import service as advisories
from hygiene.advisories.service import SEVERITIES
from hygiene.bootstrap import Deps
from hygiene.db import row_id
from hygiene.errors import HygieneError
from hygiene.inventory import service as inventory
from hygiene.web.auth import Principal, SecurityDep
from hygiene.web.console.common import Csrf, page, redirect
from hygiene.web.deps import DepsDep, LocaleDep, SessionDep

router = APIRouter(prefix="/advisories")


class Draft(TypedDict):
    """What the form holds: published as is, or shown again with the error."""

    title: str
    body: str
    severity: str
    reference: str
    requires_ack: bool
    audience: str  # "all" | "units"
    units: list[str]


EMPTY_DRAFT: Draft = {
    "title": "",
    "body": "",
    "severity": "medium",
    "reference": "",
    "requires_ack": False,
    "audience": "all",
    "units": [],
}


def _page(
    request: Request,
    locale: str,
    session: SessionDep,
    principal: Principal,
    error: str | None = None,
    draft: Draft | None = None,
) -> HTMLResponse:
    rows = advisories.list_advisories(session)[:100]
    return page(
        request,
        "console/advisories.html",
        locale,
        principal,
        status_code=400 if error else 200,
        rows=rows,
        audiences=audience.units_of(session, [row_id(a.id) for a in rows]),
        units=inventory.list_units(session),
        severities=SEVERITIES,
        error=error,
        draft=draft or EMPTY_DRAFT,
    )


@router.get("", response_class=HTMLResponse)
def list_(
    request: Request, locale: LocaleDep, session: SessionDep, principal: SecurityDep
) -> HTMLResponse:
    return _page(request, locale, session, principal)


@router.post("", dependencies=[Csrf])
def publish(
    request: Request,
    locale: LocaleDep,
    session: SessionDep,
    deps: DepsDep,
    principal: SecurityDep,
    title: Annotated[str, Form()],
    body: Annotated[str, Form()],
    severity: Annotated[str, Form()] = "medium",
    reference: Annotated[str, Form()] = "",
    requires_ack: Annotated[bool, Form()] = False,
    audience_kind: Annotated[str, Form(alias="audience")] = "all",
    units: Annotated[list[str] | None, Form()] = None,
) -> Response:
    chosen = (units or []) if audience_kind == "units" else []
    draft: Draft = {
        "title": title,
        "body": body,
        "severity": severity,
        "reference": reference,
        "requires_ack": requires_ack,
        "audience": audience_kind,
        "units": chosen,
    }
    try:
        _publish(session, deps, principal, draft)
    except HygieneError as exc:
        session.rollback()
        return _page(request, locale, session, principal, exc.render(locale), draft)
    return redirect("/console/advisories", "published")


def _publish(session: Session, deps: Deps, principal: Principal, draft: Draft) -> None:
    """Publish the draft to its audience; choosing "units" but none is refused."""
    if draft["audience"] == "units" and not draft["units"]:
        raise HygieneError("console.advisories.no_units")
    audience.publish(
        session,
        title=draft["title"],
        body=draft["body"],
        severity=draft["severity"],
        reference=draft["reference"],
        requires_ack=draft["requires_ack"],
        audience=draft["units"],
        now=deps.clock.now(),
        actor=principal.actor,
        key=deps.audit_key,
    )
