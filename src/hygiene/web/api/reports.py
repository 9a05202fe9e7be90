"""/api/v1/reports: compliance per unit and the drill-down to officials (security)."""

from datetime import date

from fastapi import APIRouter

from hygiene.reports import compliance
from hygiene.reports.compliance import ComplianceReport, OfficialCompliance
from hygiene.web.api.common import PREFIX, RowId, report_clock
from hygiene.web.auth import SecurityDep
from hygiene.web.deps import DepsDep, SessionDep

router = APIRouter(prefix=f"{PREFIX}/reports", tags=["reports"])


@router.get("/compliance")
def compliance_report(
    session: SessionDep,
    deps: DepsDep,
    _: SecurityDep,
    unit: str | None = None,
    as_of: date | None = None,
) -> ComplianceReport:
    """The same numbers as the dashboard and `hygiene report compliance --format json`."""
    at = compliance.clock_at(deps.settings, deps.clock.now(), as_of)
    return compliance.report(session, policies=deps.settings.policies, at=at, unit=unit)


@router.get("/compliance/units/{unit_id}/officials")
def compliance_officials(
    unit_id: RowId, session: SessionDep, deps: DepsDep, _: SecurityDep
) -> list[OfficialCompliance]:
    return compliance.officials_of(
        session, policies=deps.settings.policies, at=report_clock(deps), unit_id=unit_id
    )
