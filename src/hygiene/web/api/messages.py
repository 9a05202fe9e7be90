"""/api/v1/messages: the outbox (staff read; an admin can retry a failed or dead message)."""

from fastapi import APIRouter, HTTPException
from sqlmodel import Session

from hygiene.audit import service as audit
from hygiene.bootstrap import Deps
from hygiene.outbox import queries
from hygiene.outbox import service as outbox
from hygiene.outbox.queries import MessageDetail, MessageRow
from hygiene.reports import listing
from hygiene.web.api.common import PREFIX, Limit, Offset, Page, RowId
from hygiene.web.auth import AdminDep, StaffDep
from hygiene.web.deps import DepsDep, SessionDep

router = APIRouter(prefix=f"{PREFIX}/messages", tags=["messages"])


@router.get("")
def list_messages(
    session: SessionDep,
    _: StaffDep,
    status: str | None = None,
    employee_id: str | None = None,
    campaign: str | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[MessageRow]:
    items, total = listing.messages(
        session,
        status=status,
        employee_id=employee_id,
        campaign=campaign,
        limit=limit,
        offset=offset,
    )
    return Page(items=items, total=total, limit=limit, offset=offset)


@router.get("/{message_id}")
def show_message(message_id: RowId, session: SessionDep, _: StaffDep) -> MessageDetail:
    found = queries.show_message(session, message_id)
    if found is None:
        raise HTTPException(404, "http.404")
    return found


def retry_message(session: Session, deps: Deps, *, message_id: int, actor: str) -> bool:
    """Back to pending if failed or dead, and log who decided it; False if not retryable."""
    now = deps.clock.now()
    if not outbox.retry(session, message_id=message_id, now=now):
        return False
    audit.append(
        session,
        key=deps.audit_key,
        now=now,
        actor=actor,
        action="message.retried",
        subject=f"message:{message_id}",
    )
    return True


@router.post("/{message_id}/retry")
def retry(
    message_id: RowId, session: SessionDep, deps: DepsDep, principal: AdminDep
) -> MessageDetail:
    if not retry_message(session, deps, message_id=message_id, actor=principal.actor):
        if queries.show_message(session, message_id) is None:
            raise HTTPException(404, "http.404")
        raise HTTPException(409, "console.deliveries.not_retryable")
    found = queries.show_message(session, message_id)
    assert found is not None  # noqa: S101  (it was just updated)
    return found
