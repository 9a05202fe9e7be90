"""/api/v1/accounts: list (staff) and edit (admin). Logins only: no password anywhere."""

from fastapi import APIRouter

from hygiene.inventory import edits, totals
from hygiene.inventory import service as inventory
from hygiene.inventory.service import AccountPublic
from hygiene.web.api.common import (
    PREFIX,
    Limit,
    Offset,
    Page,
    RowId,
    validation_context,
)
from hygiene.web.auth import AdminDep, StaffDep
from hygiene.web.deps import DepsDep, SessionDep

router = APIRouter(prefix=f"{PREFIX}/accounts", tags=["accounts"])


@router.get("")
def list_accounts(
    session: SessionDep,
    _: StaffDep,
    employee_id: str | None = None,
    kind: str | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[AccountPublic]:
    items = inventory.list_accounts(
        session, employee_id=employee_id, kind=kind, limit=limit, offset=offset
    )
    total = totals.count_accounts(session, employee_id=employee_id, kind=kind)
    return Page(items=items, total=total, limit=limit, offset=offset)


@router.patch("/{account_id}")
def edit_account(
    account_id: RowId,
    body: edits.AccountChanges,
    session: SessionDep,
    deps: DepsDep,
    principal: AdminDep,
) -> AccountPublic:
    account = edits.update_account(
        session,
        account_id=account_id,
        changes=body,
        context=validation_context(deps),
        key=deps.audit_key,
        now=deps.clock.now(),
        actor=principal.actor,
    )
    return edits.account_public(session, account)
