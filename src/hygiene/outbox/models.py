"""Outbox tables. A message moves pending → sending → sent | failed | dead; every send attempt
is a delivery_attempt row.

No column holds a password. A reminder's acknowledgement code is looked up by its HMAC
(`ack_hmac`), but the code itself is in `body`: the rendered text as sent, kept so that
`hygiene outbox show` displays what the official read. A portal sign-in code is stored nowhere:
its `body` shows it hidden (outbox.compose).
"""

from datetime import date, datetime

from sqlalchemy import DateTime, Index, Text, text
from sqlmodel import Field, SQLModel

# The condition of the partial index ix_message_escalation, and of the query it serves
# (outbox.lookup.escalations): a literal, so that a generic plan of the prepared statement
# (psycopg prepares it after a few runs) still implies the index's condition.
ESCALATIONS = text("campaign = 'escalation'")


class Message(SQLModel, table=True):
    __table_args__ = (
        Index("ix_message_due", "status", "next_attempt_at"),
        Index("ix_message_official_campaign_mark", "official_id", "campaign", "mark"),
        # /metrics counts messages per status and channel, and acknowledged sent ones, from
        # this index alone (hygiene.web.health).
        Index("ix_message_status_channel", "status", "channel", "acknowledged_at"),
        # The urgent lane (outbox.service.claim): a partial index, so the claim finds the few
        # urgent rows without sorting the whole queue, and planning's inserts pay nothing for it.
        Index(
            "ix_message_urgent",
            "status",
            "next_attempt_at",
            sqlite_where=text("priority > 0"),
            postgresql_where=text("priority > 0"),
        ),
        # Escalations by unit and day, read once per delivery batch for the "your unit head was
        # informed" line (outbox.lookup): partial, so planning's other inserts pay nothing.
        Index(
            "ix_message_escalation",
            "subject_unit_id",
            "planned_on",
            sqlite_where=ESCALATIONS,
            postgresql_where=ESCALATIONS,
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    idempotency_key: str = Field(max_length=200, unique=True)
    campaign: str = Field(max_length=32)
    kind: str = Field(max_length=32)
    stage: str | None = Field(default=None, max_length=16)
    # The recipient: an official (for an escalation, the unit head; the unit is subject_unit_id)
    # or, when official_id is NULL, a console user (security officers: escalations of units with
    # no head, incident notifications). Exactly one of the two is set.
    official_id: int | None = Field(default=None, foreign_key="official.id", ondelete="CASCADE")
    user_id: int | None = Field(
        default=None, foreign_key="console_user.id", index=True, ondelete="CASCADE"
    )
    subject_unit_id: int | None = Field(default=None, foreign_key="unit.id", ondelete="SET NULL")
    # Comma-separated ids the message is about: accounts, advisories or officials.
    payload: str = Field(default="", sa_type=Text)
    mark: int | None = None  # rotation: the latest stage event reminded (see policy.rules)
    planned_on: date
    planned_at: datetime = Field(sa_type=DateTime(timezone=True))
    status: str = Field(default="pending", max_length=16)
    # 0 normal; URGENT (outbox.service) is claimed first, even outside the send window.
    priority: int = Field(default=0, sa_column_kwargs={"server_default": text("0")})
    attempts: int = 0
    next_attempt_at: datetime = Field(sa_type=DateTime(timezone=True))
    lease_owner: str | None = Field(default=None, max_length=100)
    lease_until: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
    message_id: str | None = Field(default=None, max_length=200)
    channel: str | None = Field(default=None, max_length=32)
    recipient: str | None = Field(default=None, max_length=254)
    subject: str | None = Field(default=None, max_length=300)
    body: str | None = Field(default=None, sa_type=Text)
    provider_id: str | None = Field(default=None, max_length=300)
    last_error: str | None = Field(default=None, sa_type=Text)
    ack_hmac: str | None = Field(default=None, max_length=64, index=True)
    ack_expires_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
    acknowledged_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
    sent_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
    updated_at: datetime = Field(sa_type=DateTime(timezone=True))


class DeliveryAttempt(SQLModel, table=True):
    __tablename__ = "delivery_attempt"
    __table_args__ = (Index("ix_delivery_attempt_rate", "channel", "outcome", "finished_at"),)

    id: int | None = Field(default=None, primary_key=True)
    message_id: int = Field(foreign_key="message.id", index=True, ondelete="CASCADE")
    attempt: int
    worker: str = Field(max_length=100)
    channel: str | None = Field(default=None, max_length=32)
    recipient: str | None = Field(default=None, max_length=254)
    outcome: str = Field(max_length=16)  # sent | transient | permanent | down | no_channel
    detail: str = Field(default="", sa_type=Text)
    provider_id: str | None = Field(default=None, max_length=300)
    started_at: datetime = Field(sa_type=DateTime(timezone=True))
    finished_at: datetime = Field(sa_type=DateTime(timezone=True))
