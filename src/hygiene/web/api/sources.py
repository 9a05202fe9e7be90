"""/api/v1/sources: each directory source's state, the verified/declared split per unit, and the
"declared but not seen" finding (security officer; the state also for admins)."""

from dataclasses import asdict
from datetime import date, datetime
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel

from hygiene.reports import compliance
from hygiene.sources import evidence, findings, status
from hygiene.sources.evidence import EvidenceReport
from hygiene.web.api.common import PREFIX
from hygiene.web.auth import SecurityDep, StaffDep
from hygiene.web.deps import DepsDep, SessionDep

router = APIRouter(prefix=f"{PREFIX}/sources", tags=["sources"])


class SourceState(BaseModel):
    source: str
    kind: str
    state: str
    last_ok_at: datetime | None
    last_run_at: datetime | None
    error_code: str | None
    detail: str | None
    entries: int
    matched: int


class FindingOut(BaseModel):
    account_id: int
    employee_id: str
    full_name: str
    unit: str
    system: str
    login: str
    declared_on: date
    declared_how: str
    directory_changed_on: date | None
    source: str


@router.get("")
def list_sources(session: SessionDep, deps: DepsDep, _: StaffDep) -> list[SourceState]:
    rows: list[dict[str, Any]] = [asdict(h) for h in status.health(session, settings=deps.settings)]
    return [SourceState(**row) for row in rows]


@router.get("/evidence")
def evidence_report(
    session: SessionDep, deps: DepsDep, _: SecurityDep, as_of: date | None = None
) -> EvidenceReport:
    """Per unit: on-time accounts verified by a directory vs declared (or entered by an admin)."""
    at = compliance.clock_at(deps.settings, deps.clock.now(), as_of)
    return evidence.report(session, settings=deps.settings, at=at)


@router.get("/findings")
def declared_not_seen(session: SessionDep, deps: DepsDep, _: SecurityDep) -> list[FindingOut]:
    today = deps.clock.now().astimezone(deps.settings.zone).date()
    found = findings.declared_not_seen(session, settings=deps.settings, today=today)
    return [FindingOut(**asdict(f)) for f in found]
