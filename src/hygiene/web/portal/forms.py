"""Two portal forms that need care: reporting a threat, and the password-strength check.

The strength check evaluates the password in memory (hygiene.policy.strength) and forgets it: it
is accepted by POST only, never echoed into the page (the field is rendered empty), never logged,
never stored; only the score and date are kept, on the account the official picks. Beside the
score, hygiene.breach says how many known leaks the password appears in (SHA-1 in memory, against
the offline index) and which context words it contains; either caps the kept score at 0. Both
the form and the answer carry `Cache-Control: no-store`.
"""

from datetime import date, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse
from sqlmodel import Session

from hygiene import i18n
from hygiene.breach import service as breach
from hygiene.breach.check import BreachVerdict
from hygiene.db import row_id
from hygiene.errors import HygieneError, InvalidInput
from hygiene.incidents import notify
from hygiene.incidents import service as incidents
from hygiene.incidents.models import CHANNELS
from hygiene.inventory import values
from hygiene.inventory.models import Account
from hygiene.policy import strength
from hygiene.policy.rules import local_date
from hygiene.portal import service as portal
from hygiene.users import throttle
from hygiene.web.auth import OfficialDep, Principal, PublicDep
from hygiene.web.deps import DepsDep, LocaleDep, SessionDep, client_ip, render
from hygiene.web.security import require_csrf

router = APIRouter()
Csrf = Depends(require_csrf)
STRENGTH_LIMIT = throttle.Limit(limit=30, window=timedelta(minutes=5), lockout=timedelta(minutes=5))
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


def _report_page(
    request: Request,
    locale: str,
    principal: Principal,
    *,
    status_code: int = 200,
    error: str | None = None,
    done: str | None = None,
) -> HTMLResponse:
    return render(
        request,
        "portal/report.html",
        locale,
        status_code=status_code,
        official=principal.official,
        channels=CHANNELS,
        error=error,
        done=done,
    )


@router.get("/report", response_class=HTMLResponse)
def report_form(request: Request, locale: LocaleDep, principal: PublicDep) -> HTMLResponse:
    return _report_page(request, locale, principal)


def _parse_day(value: str, today: date) -> date | None:
    try:
        return values.parse_date(value.strip() or None, today=today)
    except values.FieldError as exc:
        code = "incident.future" if exc.code == "date.future" else "incident.bad_date"
        raise InvalidInput(code) from exc


@router.post("/report", dependencies=[Csrf], response_class=HTMLResponse)
def report(
    request: Request,
    locale: LocaleDep,
    deps: DepsDep,
    session: SessionDep,
    principal: OfficialDep,
    channel: Annotated[str, Form(max_length=16)],
    description: Annotated[str, Form(max_length=20_000)],
    occurred_on: Annotated[str, Form()] = "",
) -> HTMLResponse:
    now = deps.clock.now()
    today = local_date(now, deps.settings.zone)
    official = principal.official
    try:
        row = incidents.report(
            session,
            official_id=official.id if official else None,
            actor=principal.actor,
            channel=channel,
            occurred_on=_parse_day(occurred_on[:20], today),
            description=description,
            today=today,
            now=now,
            key=deps.audit_key,
        )
    except HygieneError as exc:
        return _report_page(request, locale, principal, status_code=400, error=exc.render(locale))
    session.commit()  # the urgent notices must be visible before the delivery loop wakes
    deps.wake_delivery()
    return _report_page(request, locale, principal, done=notify.reference(row))


def _strength_page(
    request: Request,
    locale: str,
    principal: Principal,
    session: Session,
    deps: DepsDep,
    *,
    status_code: int = 200,
    **context: object,
) -> HTMLResponse:
    accounts = []
    if principal.official is not None:
        today = local_date(deps.clock.now(), deps.settings.zone)
        accounts = portal.accounts(
            session, official_id=row_id(principal.official.id), settings=deps.settings, today=today
        )
    base: dict[str, object] = {"result": None, "error": None, "saved": None}
    response = render(
        request,
        "portal/strength.html",
        locale,
        status_code=status_code,
        official=principal.official,
        accounts=accounts,
        max_length=strength.MAX_LENGTH,
        **{**base, **context},
    )
    response.headers.update(NO_STORE)
    return response


@router.get("/strength", response_class=HTMLResponse)
def strength_form(
    request: Request, locale: LocaleDep, deps: DepsDep, session: SessionDep, principal: PublicDep
) -> HTMLResponse:
    return _strength_page(request, locale, principal, session, deps)


class _Refused(HygieneError):
    def __init__(self, status: int, code: str, **params: object) -> None:
        super().__init__(code, **params)
        self.status = status


def _judge(
    request: Request, deps: DepsDep, session: Session, principal: Principal, candidate: str
) -> strength.Strength:
    """Count the attempt, then evaluate the password in memory; _Refused when we cannot."""
    now = deps.clock.now()
    key = f"strength:ip:{client_ip(request)}"[:200]
    verdict = throttle.hit(session, key=key, rule=STRENGTH_LIMIT, now=now)
    if not verdict.allowed:
        until = (verdict.locked_until or now).astimezone(deps.settings.zone).replace(tzinfo=None)
        raise _Refused(429, "auth.throttled", until=until)
    if not candidate:
        raise _Refused(400, "portal.strength.empty")
    official = principal.official
    words = portal.personal_words(session, official) if official is not None else []
    try:
        return strength.evaluate(candidate, user_inputs=strength.personal_inputs(*words))
    except strength.TooLong:
        raise _Refused(400, "strength.too_long", max=strength.MAX_LENGTH) from None


def _breach(
    session: Session, deps: DepsDep, principal: Principal, account: str, candidate: str
) -> BreachVerdict:
    """The leak count and context rules (hygiene.breach), for the official's chosen account."""
    official, picked = principal.official, None
    if official is not None and account.isdigit():
        found = session.get(Account, int(account))
        picked = found if found is not None and found.official_id == official.id else None
    return breach.verdict(
        session, settings=deps.settings, password=candidate, official=official, account=picked
    )


def _keep_score(
    session: Session, deps: DepsDep, principal: Principal, account: str, score: int
) -> int | None:
    """Store the score on the account the official picked; its id, or None."""
    official = principal.official
    if official is None or not account.isdigit():
        return None
    now = deps.clock.now()
    kept = portal.record_strength(
        session,
        official_id=row_id(official.id),
        account_id=int(account),
        score=score,
        today=local_date(now, deps.settings.zone),
        now=now,
    )
    return int(account) if kept else None


@router.post("/strength", dependencies=[Csrf], response_class=HTMLResponse)
def check_strength(
    request: Request,
    locale: LocaleDep,
    deps: DepsDep,
    session: SessionDep,
    principal: PublicDep,
    candidate: Annotated[str, Form()] = "",
    account: Annotated[str, Form()] = "",
) -> HTMLResponse:
    try:
        result = _judge(request, deps, session, principal, candidate)
        found = _breach(session, deps, principal, account, candidate)
    except _Refused as exc:
        return _strength_page(
            request,
            locale,
            principal,
            session,
            deps,
            status_code=exc.status,
            error=exc.render(locale),
        )
    finally:
        del candidate  # nothing below may see it
    shown = {
        "score": result.score,
        "label": i18n.t(f"strength.score_{result.score}", locale),
        "crack": result.crack_time(locale),
        "feedback": result.feedback(locale),
        "breach": found.lines(locale),
        "breach_ok": found.acceptable,
        "kept_score": breach.capped_score(result.score, found),
    }
    saved = _keep_score(session, deps, principal, account, breach.capped_score(result.score, found))
    return _strength_page(request, locale, principal, session, deps, saved=saved, result=shown)
