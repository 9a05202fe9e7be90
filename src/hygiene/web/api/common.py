"""What every /api/v1 router shares: paging, the validation context and the report clock."""

from typing import Annotated, Generic, TypeVar

from fastapi import Query
from pydantic import BaseModel

from hygiene.bootstrap import Deps
from hygiene.campaigns.service import clockless
from hygiene.campaigns.stages import Clockless
from hygiene.inventory.schemas import ValidationContext

T = TypeVar("T")
PREFIX = "/api/v1"

Limit = Annotated[int, Query(ge=1, le=500, description="Page size")]
Offset = Annotated[int, Query(ge=0, description="Rows to skip")]


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int
    limit: int
    offset: int


def validation_context(deps: Deps) -> ValidationContext:
    return ValidationContext(
        today=report_clock(deps).today,
        kinds=deps.settings.kinds,
        default_locale=deps.settings.locale,
    )


def report_clock(deps: Deps) -> Clockless:
    return clockless(deps.settings, deps.clock.now())
