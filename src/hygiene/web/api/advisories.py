"""/api/v1/advisories: list (staff) and publish (security)."""

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field, field_validator

from hygiene.advisories import audience
from hygiene.advisories import service as advisories
from hygiene.clock import UtcDatetime
from hygiene.db import row_id
from hygiene.web.api.common import PREFIX, Limit, Offset, Page
from hygiene.web.auth import SecurityDep, StaffDep
from hygiene.web.deps import DepsDep, SessionDep

router = APIRouter(prefix=f"{PREFIX}/advisories", tags=["advisories"])


class AdvisoryIn(BaseModel):
    title: str = Field(max_length=200)
    body: str = Field(max_length=20_000)
    severity: str = "medium"
    reference: str | None = None
    requires_ack: bool = False
    audience: list[str] = Field(default_factory=list, description="Unit names; empty = all")

    @field_validator("title", "body", "severity", "reference", "audience")
    @classmethod
    def _no_nul(cls, value: Any) -> Any:
        # PostgreSQL text cannot hold NUL: refuse it here (422) rather than fail in the driver.
        texts = value if isinstance(value, list) else [value]
        if any(isinstance(t, str) and "\x00" in t for t in texts):
            raise ValueError("NUL character")
        return value


class AdvisoryOut(BaseModel):
    id: int
    title: str
    body: str
    severity: str
    reference: str | None
    requires_ack: bool
    published_at: UtcDatetime
    created_by: str
    audience: list[str] = Field(default_factory=list, description="Unit names; empty = all")


@router.get("")
def list_advisories(
    session: SessionDep, _: StaffDep, limit: Limit = 50, offset: Offset = 0
) -> Page[AdvisoryOut]:
    rows = advisories.list_advisories(session)
    shown = rows[offset : offset + limit]
    units = audience.units_of(session, [row_id(a.id) for a in shown])
    items = [
        AdvisoryOut.model_validate({**a.model_dump(), "audience": units.get(row_id(a.id), [])})
        for a in shown
    ]
    return Page(items=items, total=len(rows), limit=limit, offset=offset)


@router.post("", status_code=201)
def publish_advisory(
    body: AdvisoryIn, session: SessionDep, deps: DepsDep, principal: SecurityDep
) -> AdvisoryOut:
    advisory = audience.publish(
        session,
        **body.model_dump(),
        now=deps.clock.now(),
        actor=principal.actor,
        key=deps.audit_key,
    )
    units = audience.units_of(session, [row_id(advisory.id)])
    return AdvisoryOut.model_validate(
        {**advisory.model_dump(), "audience": units.get(row_id(advisory.id), [])}
    )
