"""The portal's pages: home, entering an acknowledgement code, declarations, the anti-phishing
phrase and the advisories (sign-in is hygiene.web.portal.signin, two careful forms
hygiene.web.portal.forms).
"""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session, col, select

from hygiene import i18n
from hygiene.acks import declarations
from hygiene.acks import service as acks
from hygiene.acks.models import Acknowledgement
from hygiene.advisories import service as advisories
from hygiene.bootstrap import Deps
from hygiene.db import row_id
from hygiene.errors import HygieneError
from hygiene.inventory.models import Official
from hygiene.policy.rules import local_date
from hygiene.portal import service as portal
from hygiene.web.auth import OfficialDep, Principal, PublicDep
from hygiene.web.deps import DepsDep, LocaleDep, SessionDep, client_ip, render
from hygiene.web.security import require_csrf

router = APIRouter()
Csrf = Depends(require_csrf)
DECLARATIONS = ("rotation", "mfa", "browser")


def page(
    request: Request,
    name: str,
    locale: str,
    principal: Principal,
    status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    """A portal page: the signed-in official (or None) is always in the context."""
    return render(
        request,
        f"portal/{name}",
        locale,
        status_code=status_code,
        official=principal.official,
        **context,
    )


def me(principal: Principal) -> Official:
    """The signed-in official (routes with OfficialDep always have one)."""
    if principal.official is None:
        raise HTTPException(401, "auth.sign_in_required")
    return principal.official


def ack_summary(result: acks.AckResult, locale: str) -> list[str]:
    """The lines that tell an official what was just recorded."""
    lines = [
        i18n.t("ack.done", locale, what=i18n.t(f"ack.what_{result.what}", locale), on=result.on)
    ]
    if result.accounts:
        lines.append(i18n.t("ack.done_accounts", locale, items=", ".join(result.accounts)))
    if result.advisories:
        lines.append(i18n.t("ack.done_advisories", locale, items="; ".join(result.advisories)))
    return lines


@router.get("", response_class=HTMLResponse)
def home(
    request: Request,
    locale: LocaleDep,
    deps: DepsDep,
    session: SessionDep,
    principal: PublicDep,
    done: str | None = None,
) -> HTMLResponse:
    official = principal.official
    if official is None:
        return page(request, "landing.html", locale, principal)
    today = local_date(deps.clock.now(), deps.settings.zone)
    oid = row_id(official.id)
    return page(
        request,
        "home.html",
        locale,
        principal,
        accounts=portal.accounts(session, official_id=oid, settings=deps.settings, today=today),
        history=declarations.history(session, official_id=oid),
        done=done if done in DECLARATIONS else None,
    )


@router.get("/code", response_class=HTMLResponse)
def code_form(request: Request, locale: LocaleDep, principal: PublicDep) -> HTMLResponse:
    return page(request, "code.html", locale, principal, error=None, lines=None)


@router.post("/code", dependencies=[Csrf], response_class=HTMLResponse)
def enter_code(
    request: Request,
    locale: LocaleDep,
    deps: DepsDep,
    session: SessionDep,
    principal: PublicDep,
    code: Annotated[str, Form(max_length=64)],
) -> HTMLResponse:
    try:
        result = _acknowledge(request, deps, session, principal, code)
    except HygieneError as exc:
        session.commit()  # keep the attempt counts although the code was refused
        status = 429 if isinstance(exc, acks.AckLocked) else 400
        return page(
            request,
            "code.html",
            locale,
            principal,
            status_code=status,
            error=exc.render(locale),
            lines=None,
        )
    return page(
        request, "code.html", locale, principal, error=None, lines=ack_summary(result, locale)
    )


def _acknowledge(
    request: Request, deps: Deps, session: Session, principal: Principal, code: str
) -> acks.AckResult:
    """Record the typed code, past this client's attempt limits; signed in, as the official."""
    now, zone = deps.clock.now(), deps.settings.zone
    acks.guard(
        session,
        client=f"ip:{client_ip(request)}",
        typed=code,
        secret=deps.secret,
        now=now,
        zone=zone,
    )
    return acks.acknowledge(
        session,
        typed=code,
        how="portal",
        actor=principal.actor if principal.official is not None else None,
        now=now,
        secret=deps.secret,
        zone=zone,
    )


@router.post("/declare", dependencies=[Csrf])
def declare(
    deps: DepsDep,
    session: SessionDep,
    principal: OfficialDep,
    what: Annotated[str, Form()],
    account: Annotated[list[int] | None, Form()] = None,
) -> Response:
    official = me(principal)
    declarations.declare(
        session,
        official_id=row_id(official.id),
        what=what,
        account_ids=account or [],
        actor=principal.actor,
        now=deps.clock.now(),
        zone=deps.settings.zone,
        key=deps.audit_key,
    )
    return RedirectResponse(f"/portal?done={what}", status_code=303)


@router.get("/phrase", response_class=HTMLResponse)
def phrase_form(request: Request, locale: LocaleDep, principal: OfficialDep) -> HTMLResponse:
    return page(request, "phrase.html", locale, principal, error=None, saved=False)


@router.post("/phrase", dependencies=[Csrf], response_class=HTMLResponse)
def set_phrase(
    request: Request,
    locale: LocaleDep,
    deps: DepsDep,
    session: SessionDep,
    principal: OfficialDep,
    phrase: Annotated[str, Form(max_length=400)],
) -> HTMLResponse:
    official = me(principal)
    try:
        portal.set_phrase(
            session,
            official=official,
            phrase=phrase,
            now=deps.clock.now(),
            key=deps.audit_key,
            actor=principal.actor,
        )
    except HygieneError as exc:
        return page(
            request,
            "phrase.html",
            locale,
            principal,
            status_code=400,
            error=exc.render(locale),
            saved=False,
        )
    return page(request, "phrase.html", locale, principal, error=None, saved=True)


@router.get("/advisories", response_class=HTMLResponse)
def advisory_list(
    request: Request, locale: LocaleDep, deps: DepsDep, session: SessionDep, principal: PublicDep
) -> HTMLResponse:
    read: set[int] = set()
    if principal.official is not None:
        query = select(Acknowledgement.advisory_id).where(
            Acknowledgement.official_id == principal.official.id,
            col(Acknowledgement.advisory_id).is_not(None),
        )
        read = {a for a in session.exec(query) if a is not None}
    return page(
        request,
        "advisories.html",
        locale,
        principal,
        advisories=advisories.list_advisories(session),
        read=read,
        zone=deps.settings.zone,
    )


@router.post("/advisories/{advisory_id}/read", dependencies=[Csrf])
def advisory_read(
    advisory_id: int, deps: DepsDep, session: SessionDep, principal: OfficialDep
) -> Response:
    official = me(principal)
    declarations.declare(
        session,
        official_id=row_id(official.id),
        what="advisory",
        advisory_ids=[advisory_id],
        actor=principal.actor,
        now=deps.clock.now(),
        zone=deps.settings.zone,
        key=deps.audit_key,
    )
    return RedirectResponse(f"/portal/advisories#advisory-{advisory_id}", status_code=303)
