"""The database side of one delivery batch: a few short transactions, each run in a worker
thread so that no send in flight waits for the database.

    claim()    release expired leases (not those of a batch still sending), lease up to
               batch_size due rows (urgent first), read
               the rows they need (messages, officials, accounts, advisories, units: one query
               per table) and the rate-limit budgets; one transaction
    renew()    after rendering: the batch's lease runs again in full, and the rendered
               subject, body, Message-ID and code HMAC are stored (one UPDATE + one executemany)
    record()   every outcome: one executemany UPDATE of the messages still held, one executemany
               INSERT of the attempts, one audit append_many; one transaction
    release()  rows of a failed batch that were not sent go back to pending at once, without
               spending an attempt
Whatever the batch size, that is about a dozen statements per batch.
"""

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, bindparam, select, update
from sqlmodel import col

from hygiene.audit import service as audit
from hygiene.db import session_scope, table
from hygiene.outbox import limits
from hygiene.outbox import service as outbox
from hygiene.outbox.lookup import Lookup, load
from hygiene.outbox.models import DeliveryAttempt, Message
from hygiene.outbox.readers import Readers
from hygiene.settings import Settings

# Columns every outcome sets (executemany needs the same keys in every row).
OUTCOME_COLUMNS = (
    "status", "attempts", "next_attempt_at", "channel", "recipient", "provider_id", "sent_at",
    "last_error", "updated_at",
)  # fmt: skip
RENDERED_COLUMNS = ("subject", "body", "message_id", "ack_hmac", "ack_expires_at")


@dataclass
class Claimed:
    messages: list[Message] = field(default_factory=list)
    lookup: Lookup = field(default_factory=Lookup)
    budgets: dict[str, int] = field(default_factory=dict)  # rate-limited channel → sends left
    released: int = 0


@dataclass
class Outcome:
    """How one message of the batch ended, as rows to write."""

    message: Message
    result: str  # for the report: sent | retry | failed | dead | rate_limited | deferred
    values: dict[str, Any]  # OUTCOME_COLUMNS
    attempts: list[dict[str, Any]] = field(default_factory=list)  # delivery_attempt rows
    event: audit.NewEvent | None = None


def claim(
    engine: Engine,
    *,
    settings: Settings,
    channels: Collection[str],
    now: datetime,
    owner: str,
    readers: Readers,
    urgent_only: bool = False,
    exclude: Collection[int] = (),
) -> Claimed:
    """`urgent_only`: outside the send window, only the urgent lane goes out; `exclude`: rows
    never to claim (the batch this owner still sends, outbox.service.claim)."""
    delivery = settings.delivery
    with session_scope(engine) as session:
        released = outbox.release_expired(session, now=now, exclude=exclude)
        ids = outbox.claim(
            session,
            now=now,
            owner=owner,
            limit=delivery.batch_size,
            lease=timedelta(seconds=delivery.lease_seconds),
            urgent_only=urgent_only,
            exclude=exclude,
        )
        if not ids:
            return Claimed(released=len(released))
        # Urgent first: the sends of a batch start in this order.
        query = (
            select(Message)
            .where(col(Message.id).in_(ids))
            .order_by(col(Message.priority).desc(), col(Message.id))
        )
        messages = list(session.execute(query).scalars())
        rows = load(session, messages, settings=settings, readers=readers)
        budgets = limits.remaining(
            session, channels=channels, delivery=delivery, zone=settings.zone, now=now
        )
    return Claimed(messages, rows, budgets, len(released))


def renew(
    engine: Engine,
    *,
    owner: str,
    ids: Collection[int],
    now: datetime,
    lease: timedelta,
    rendered: Sequence[dict[str, Any]] = (),
) -> set[int]:
    """Renew the lease of `ids` for a full lease, only where it still runs (the database's clock
    on PostgreSQL); store `rendered` (pk + RENDERED_COLUMNS) for the rows still held."""
    if not ids:
        return set()
    with session_scope(engine) as session:
        at = outbox.lease_clock(session, now)
        statement = (
            update(Message)
            .where(
                col(Message.id).in_(list(ids)),
                col(Message.status) == outbox.SENDING,
                col(Message.lease_owner) == owner,
                col(Message.lease_until) > at,
            )
            .values(lease_until=at + lease)
            .returning(col(Message.id))
            .execution_options(synchronize_session=False)
        )
        held = set(session.execute(statement).scalars())
        rows = [row for row in rendered if row["pk"] in held]
        if rows:
            params = [_params(RENDERED_COLUMNS, row, owner) for row in rows]
            session.execute(_guarded_update(RENDERED_COLUMNS), params)
    return held


def record(
    engine: Engine, *, owner: str, outcomes: Sequence[Outcome], audit_key: bytes, now: datetime
) -> set[int]:
    """Write `outcomes` in one transaction; the ids whose row this worker still held (the
    others were taken over after their lease ran out: their outcome is the new owner's)."""
    if not outcomes:
        return set()
    with session_scope(engine) as session:
        ids = [o.message.id for o in outcomes]
        locked = select(col(Message.id)).where(
            col(Message.id).in_(ids),
            col(Message.status) == outbox.SENDING,
            col(Message.lease_owner) == owner,
        )
        if session.get_bind().dialect.name == "postgresql":
            locked = locked.with_for_update()
        held = set(session.execute(locked).scalars())
        mine = [o for o in outcomes if o.message.id in held]
        if mine:
            params = [
                _params(OUTCOME_COLUMNS, {**o.values, "pk": o.message.id}, owner) for o in mine
            ]
            session.execute(_guarded_update(OUTCOME_COLUMNS, finish=True), params)
        attempts = [row for o in outcomes for row in o.attempts]
        if attempts:
            session.execute(table(DeliveryAttempt).insert(), attempts)
        events = [o.event for o in mine if o.event is not None]
        audit.append_many(session, key=audit_key, now=now, events=events)
    return held


def release(engine: Engine, *, owner: str, ids: Collection[int], now: datetime) -> int:
    """Give back rows this worker holds and did not send: pending again, attempt not spent."""
    if not ids:
        return 0
    with session_scope(engine) as session:
        statement = (
            update(Message)
            .where(
                col(Message.id).in_(list(ids)),
                col(Message.status) == outbox.SENDING,
                col(Message.lease_owner) == owner,
            )
            .values(
                status=outbox.PENDING,
                lease_owner=None,
                lease_until=None,
                attempts=col(Message.attempts) - 1,
                updated_at=now,
            )
            .returning(col(Message.id))
            .execution_options(synchronize_session=False)
        )
        return len(list(session.execute(statement).scalars()))


def _guarded_update(columns: Sequence[str], *, finish: bool = False) -> Any:
    """UPDATE message SET <columns> WHERE id = :pk AND held by :owner, for executemany."""
    messages = table(Message)
    values: dict[str, Any] = {name: bindparam(f"v_{name}") for name in columns}
    if finish:
        values.update(lease_owner=None, lease_until=None)
    statement = (
        messages.update()
        .where(
            messages.c.id == bindparam("pk"),
            messages.c.status == outbox.SENDING,
            messages.c.lease_owner == bindparam("owner"),
        )
        .values(values)
    )
    return statement


def _params(columns: Sequence[str], row: dict[str, Any], owner: str) -> dict[str, Any]:
    return {"pk": row["pk"], "owner": owner, **{f"v_{name}": row[name] for name in columns}}
