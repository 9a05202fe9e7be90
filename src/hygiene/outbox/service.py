"""Outbox state changes, each one SQL statement in the caller's transaction.

    pending ──claim──► sending ──► sent
       ▲                  │  ├──► failed   (permanent: the reason is kept)
       │                  │  └──► dead     (transient failures until max_attempts)
       └── retry / lease expired / transient failure (next_attempt_at = now + backoff)

Urgent lane: a message with priority URGENT (enqueue_urgent: portal sign-in codes, incident
notices) is claimed before any normal one, and also outside the send window, where normal
reminders wait (delivery.Deliverer.run_once).

Claims are leased: PostgreSQL picks rows with FOR UPDATE SKIP LOCKED, so concurrent workers
take disjoint rows without waiting; SQLite serialises writers with BEGIN IMMEDIATE (db.py), so
the UPDATE … RETURNING is atomic. A worker that dies leaves rows in `sending`; once their lease
runs out, release_expired() returns them to pending and they are sent again with the same
Message-ID. Every transition made by a worker is guarded by its lease (`lease_owner`), so a
worker that lost its lease cannot overwrite the row, and a send starts only while the lease still
runs, renewing it (renew_before_send): a duplicate needs a single send that outlasts a whole lease.

Which clock decides what:
    leases        the database's clock. On PostgreSQL every lease time is computed by the server
                  inside the statement (`now()`: lease_until on claim and renewal, and the
                  comparisons of renewal and expiry), never sent by an instance, so instances
                  whose clocks disagree still agree on who holds a row. SQLite runs on one host:
                  the instances share that host's clock, which `now` comes from.
    due times     the instance's clock (`now`): next_attempt_at and the backoff. A skewed
                  instance sends a retry early or late by its skew, never twice.
    windows, days the instance's clock in the configured time zone (rules.in_window, planning).
Instances compare their clock with the database's on every tick (outbox.clockcheck).
"""

import functools
from collections.abc import Collection, Sequence
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col

from hygiene.outbox.models import DeliveryAttempt, Message

PENDING, SENDING, SENT, FAILED, DEAD = "pending", "sending", "sent", "failed", "dead"
# A restored database holds what was waiting at backup time (hygiene.restore): no claim selects
# `held`; a person releases (→ pending) or cancels (→ cancelled, never sent) each message.
HELD, CANCELLED = "held", "cancelled"
STATUSES = (PENDING, SENDING, SENT, FAILED, DEAD, HELD, CANCELLED)
NORMAL, URGENT = 0, 1  # Message.priority


def lease_clock(session: Session, now: datetime) -> datetime | ColumnElement[datetime]:
    """The instant leases are measured against: PostgreSQL's `now()`, evaluated by the server in
    the statement; on SQLite (one host), the caller's `now`."""
    if session.get_bind().dialect.name == "postgresql":
        return func.now()
    return now


def release_expired(session: Session, *, now: datetime, exclude: Collection[int] = ()) -> list[int]:
    """Return rows whose lease ran out (their worker died or hung) to pending; never those in
    `exclude` (the caller's own batch in flight, which checks its leases before each send)."""
    statement = (
        update(Message)
        .where(col(Message.status) == SENDING, col(Message.lease_until) < lease_clock(session, now))
        .values(status=PENDING, lease_owner=None, lease_until=None, updated_at=now)
        .returning(col(Message.id))
    )
    if exclude:
        statement = statement.where(col(Message.id).not_in(list(exclude)))
    return list(session.execute(statement).scalars())


def claim(
    session: Session,
    *,
    now: datetime,
    owner: str,
    limit: int,
    lease: timedelta,
    urgent_only: bool = False,
    exclude: Collection[int] = (),
) -> list[int]:
    """Lease up to `limit` due pending rows to `owner`: urgent rows first, then (unless
    `urgent_only`, as outside the send window) normal ones; their ids, urgent first. Never the
    rows in `exclude` (the batch the same owner still sends: were a lease of it to run out, the
    row must go to anyone but a second batch of the same owner).

    Two picks rather than one ORDER BY priority: the urgent one reads the small partial index
    ix_message_urgent, the normal one keeps walking ix_message_due in due order and stops at the
    limit; one ordering by priority would sort every due row of a large backlog per batch.
    """
    pick = functools.partial(
        _claim_some, session, now=now, owner=owner, lease=lease, exclude=exclude
    )
    urgent = pick(limit=limit, urgent=True)
    if urgent_only or len(urgent) >= limit:
        return urgent
    return urgent + pick(limit=limit - len(urgent), urgent=False)


def _claim_some(
    session: Session,
    *,
    now: datetime,
    owner: str,
    limit: int,
    lease: timedelta,
    urgent: bool,
    exclude: Collection[int],
) -> list[int]:
    lane = col(Message.priority) > NORMAL if urgent else col(Message.priority) == NORMAL
    pick = (
        select(col(Message.id))
        .where(col(Message.status) == PENDING, lane, col(Message.next_attempt_at) <= now)
        .order_by(col(Message.next_attempt_at), col(Message.id))
        .limit(limit)
    )
    if exclude:
        pick = pick.where(col(Message.id).not_in(list(exclude)))
    if session.get_bind().dialect.name == "postgresql":
        pick = pick.with_for_update(skip_locked=True)
    statement = (
        update(Message)
        .where(col(Message.id).in_(pick.scalar_subquery()))
        .values(
            status=SENDING,
            lease_owner=owner,
            lease_until=lease_clock(session, now) + lease,
            attempts=col(Message.attempts) + 1,
            updated_at=now,
        )
        .returning(col(Message.id))
    )
    return sorted(session.execute(statement).scalars())


def enqueue_urgent(
    session: Session,
    *,
    idempotency_key: str,
    campaign: str,
    kind: str,
    now: datetime,
    today: date,
    official_id: int | None = None,
    user_id: int | None = None,
    payload: str = "",
) -> bool:
    """One message on the urgent lane, due now, to an official or a console user; False when
    its key was enqueued before (nothing is inserted twice). Wake the delivery loop after the
    commit (Deps.wake_delivery) so it goes out at once."""
    return enqueue(
        session, idempotency_key=idempotency_key, campaign=campaign, kind=kind, now=now,
        today=today, official_id=official_id, user_id=user_id, payload=payload, priority=URGENT,
    )  # fmt: skip


def enqueue(
    session: Session,
    *,
    idempotency_key: str,
    campaign: str,
    kind: str,
    now: datetime,
    today: date,
    official_id: int | None = None,
    user_id: int | None = None,
    payload: str = "",
    priority: int = NORMAL,
) -> bool:
    """One message due now, to an official or a console user, on the normal lane unless told;
    False when its key was enqueued before (nothing is inserted twice)."""
    if (official_id is None) == (user_id is None):
        raise ValueError("a message goes to exactly one official or console user")
    dialect = session.get_bind().dialect.name
    module: Any = postgresql if dialect == "postgresql" else sqlite
    statement = (
        module.insert(Message)
        .values(
            idempotency_key=idempotency_key,
            campaign=campaign,
            kind=kind,
            official_id=official_id,
            user_id=user_id,
            payload=payload,
            planned_on=today,
            planned_at=now,
            status=PENDING,
            priority=priority,
            attempts=0,
            next_attempt_at=now,
            updated_at=now,
        )
        .on_conflict_do_nothing(index_elements=["idempotency_key"])
        .returning(col(Message.id))
    )
    return session.execute(statement).first() is not None


def _guarded(
    pk: int, owner: str, unexpired_at: datetime | ColumnElement[datetime] | None = None
) -> Any:
    condition = and_(
        col(Message.id) == pk,
        col(Message.status) == SENDING,
        col(Message.lease_owner) == owner,
    )
    if unexpired_at is not None:
        condition = and_(condition, col(Message.lease_until) > unexpired_at)
    return condition


def update_leased(
    session: Session,
    *,
    pk: int,
    owner: str,
    unexpired_at: datetime | ColumnElement[datetime] | None = None,
    **values: Any,
) -> bool:
    """Change a row this worker holds; False when the lease was lost (someone else has it) or,
    with `unexpired_at`, has run out by then (another instance may take the row at any moment)."""
    result = session.execute(
        update(Message)
        .where(_guarded(pk, owner, unexpired_at))
        .values(**values)
        .returning(col(Message.id))
        # Rows are not re-read here: evaluating the lease in Python would compare SQLite's naive
        # timestamps with aware ones, and no caller reads the updated columns back.
        .execution_options(synchronize_session=False)
    )
    return result.first() is not None


def renew_before_send(
    session: Session, *, pk: int, owner: str, now: datetime, lease: timedelta, **values: Any
) -> bool:
    """Just before a send: only while the lease still runs, and then for a full lease again.

    A batch is claimed under one lease but sent a few messages at a time; without this, the end
    of a slow batch would be sent after its lease ran out, while another instance, having
    released and claimed those rows, sends them too.
    """
    at = lease_clock(session, now)
    return update_leased(
        session, pk=pk, owner=owner, unexpired_at=at, lease_until=at + lease, **values
    )


def finish(
    session: Session, *, pk: int, owner: str, status: str, now: datetime, **values: Any
) -> bool:
    return update_leased(
        session,
        pk=pk,
        owner=owner,
        status=status,
        lease_owner=None,
        lease_until=None,
        updated_at=now,
        **values,
    )


def record_attempt(session: Session, **values: Any) -> None:
    session.execute(insert(DeliveryAttempt).values(**values))


def sent_since(session: Session, channel: str, since: datetime) -> int:
    """Messages a channel accepted since `since` (rate limits; shared by every instance)."""
    query = select(func.count()).where(
        col(DeliveryAttempt.channel) == channel,
        col(DeliveryAttempt.outcome) == "sent",
        col(DeliveryAttempt.finished_at) >= since,
    )
    return int(session.execute(query).scalar_one())


def retry(session: Session, *, message_id: int, now: datetime) -> bool:
    """Send a failed or dead message again (an admin's decision): back to pending, attempts 0."""
    result = session.execute(
        update(Message)
        .where(col(Message.id) == message_id, col(Message.status).in_([FAILED, DEAD]))
        .values(status=PENDING, attempts=0, next_attempt_at=now, last_error=None, updated_at=now)
        .returning(col(Message.id))
    )
    return result.first() is not None


def attempts_of(session: Session, message_id: int) -> Sequence[DeliveryAttempt]:
    query = (
        select(DeliveryAttempt)
        .where(col(DeliveryAttempt.message_id) == message_id)
        .order_by(col(DeliveryAttempt.id))
    )
    return session.execute(query).scalars().all()
