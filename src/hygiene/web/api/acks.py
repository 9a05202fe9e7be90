"""GET /api/v1/acks: acknowledgements recorded (staff), newest first, filtered and paged.

(POST /api/v1/acks, an official's code, is hygiene.web.api_acks.)
"""

from fastapi import APIRouter

from hygiene.reports import listing
from hygiene.reports.listing import AckRow
from hygiene.web.api.common import PREFIX, Limit, Offset, Page
from hygiene.web.auth import StaffDep
from hygiene.web.deps import SessionDep

router = APIRouter(prefix=f"{PREFIX}/acks", tags=["acks"])


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
