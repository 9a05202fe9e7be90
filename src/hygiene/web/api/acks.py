"""Acknowledgements under /api/v1/acks.

    GET  /api/v1/acks   acknowledgements recorded (staff), newest first, filtered and paged.
    POST /api/v1/acks   {"code": "XXXX-XXXX"} -> what was acknowledged. Public; limited per client
                        IP and per code like the portal form.

(An SMS reply carrying a code arrives at /api/v1/inbound/sms: hygiene.web.api.inbound.)
"""

from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from hygiene import i18n
from hygiene.acks import service as acks
from hygiene.errors import HygieneError
from hygiene.reports import listing
from hygiene.reports.listing import AckRow
from hygiene.web.api.common import PREFIX, Limit, Offset, Page
from hygiene.web.auth import PublicDep, StaffDep
from hygiene.web.deps import DepsDep, LocaleDep, SessionDep, client_ip
from hygiene.web.errors import error_response

router = APIRouter(prefix=f"{PREFIX}/acks", tags=["acks"])


class AckIn(BaseModel):
    code: str = Field(max_length=64)


class AckOut(BaseModel):
    ok: bool = True
    what: str
    acknowledged_on: str  # dd/mm/yyyy
    accounts: list[str]
    advisories: list[str]
    message: str


def ack_out(result: acks.AckResult, locale: str) -> AckOut:
    what = i18n.t(f"ack.what_{result.what}", locale)
    return AckOut(
        what=result.what,
        acknowledged_on=i18n.format_date(result.on),
        accounts=list(result.accounts),
        advisories=list(result.advisories),
        message=i18n.t("ack.done", locale, what=what, on=result.on),
    )


@router.get("")
def list_acks(
    session: SessionDep,
    _: StaffDep,
    employee_id: str | None = None,
    unit: str | None = None,
    what: str | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[AckRow]:
    items, total = listing.acks(
        session, employee_id=employee_id, unit=unit, what=what, limit=limit, offset=offset
    )
    return Page(items=items, total=total, limit=limit, offset=offset)


@router.post("", response_model=AckOut)
def acknowledge(
    body: AckIn,
    request: Request,
    locale: LocaleDep,
    deps: DepsDep,
    session: SessionDep,
    _: PublicDep,
) -> Any:
    now, zone = deps.clock.now(), deps.settings.zone
    try:
        acks.guard(
            session,
            client=f"ip:{client_ip(request)}",
            typed=body.code,
            secret=deps.secret,
            now=now,
            zone=zone,
        )
        result = acks.acknowledge(
            session,
            typed=body.code,
            how="portal",
            actor=None,
            now=now,
            secret=deps.secret,
            zone=zone,
        )
    except HygieneError as exc:
        session.commit()  # keep the attempt counts
        status = 429 if isinstance(exc, acks.AckLocked) else 400
        return error_response(request, status, exc.code, exc.render(locale))
    return ack_out(result, locale)
