"""POST /api/v1/probe/reports: hygiene-probe's counts from an office PC (device token auth).

A report that counts saved logins plans the browser campaign at once (set-based and idempotent,
as every planning run), so the official's targeted warning does not wait for the next tick.
"""

from fastapi import APIRouter
from sqlmodel import col, select

from hygiene.campaigns import browser
from hygiene.campaigns import service as campaigns
from hygiene.devices import service as devices
from hygiene.devices.schemas import ReportAccepted, ReportIn
from hygiene.inventory.models import Official
from hygiene.outbox.models import Message
from hygiene.web.api.common import PREFIX
from hygiene.web.auth import DeviceDep
from hygiene.web.deps import DepsDep, SessionDep

router = APIRouter(prefix=f"{PREFIX}/probe", tags=["probe"])


@router.post("/reports", response_model=ReportAccepted, status_code=201)
def post_report(
    report: ReportIn, device: DeviceDep, deps: DepsDep, session: SessionDep
) -> ReportAccepted:
    """Record one probe report; saved logins get the official's browser warning planned."""
    now, settings = deps.clock.now(), deps.settings
    row = devices.record_report(session, device=device, report=report, secret=deps.secret, now=now)
    planned = False
    if row.saved_logins > 0 and settings.campaigns.browser.enabled:
        campaigns.plan(
            session=session,
            settings=settings,
            now=now,
            campaign=browser.CAMPAIGN,
            audit_key=deps.audit_key,
            actor=f"device:{device.name}",
        )
        _, period = browser.periods(
            campaigns.clockless(settings, now).today,
            settings.campaigns.browser_every_months,
            settings.campaigns.browser_saved_every_days,
        )
        key = f"{browser.CAMPAIGN}:{device.official_id}:{period}"
        planned = (
            session.exec(select(Message.id).where(col(Message.idempotency_key) == key)).first()
            is not None
        )
    official = session.get(Official, device.official_id)
    return ReportAccepted(
        device=device.name,
        official=official.employee_id if official else "",
        saved_logins=row.saved_logins,
        warning_planned=planned,
        received_at=now,
    )
