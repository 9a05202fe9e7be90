"""What every /api/v1 router shares: paging, the validation context and the report clock."""

from typing import Annotated, Generic, TypeVar

from fastapi import Path, Query
from pydantic import BaseModel

from hygiene.bootstrap import Deps
from hygiene.campaigns.service import clockless
from hygiene.campaigns.stages import Clockless
from hygiene.inventory.kinds import KindNames
from hygiene.inventory.schemas import ValidationContext

T = TypeVar("T")
PREFIX = "/api/v1"

Limit = Annotated[int, Query(ge=1, le=500, description="Page size")]
# Row ids are SQL INTEGERs (32-bit on PostgreSQL): a larger number would overflow the driver.
MAX_ROW_ID = 2**31 - 1
Offset = Annotated[int, Query(ge=0, le=MAX_ROW_ID, description="Rows to skip")]
RowId = Annotated[int, Path(ge=1, le=MAX_ROW_ID)]


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int
    limit: int
    offset: int


def validation_context(deps: Deps) -> ValidationContext:
    return ValidationContext(
        today=report_clock(deps).today,
        kinds=KindNames.from_policies(deps.settings.policies),
        default_locale=deps.settings.locale,
    )


def report_clock(deps: Deps) -> Clockless:
    return clockless(deps.settings, deps.clock.now())
