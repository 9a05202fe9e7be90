"""The acknowledgement table: who confirmed what, how and when. Never holds a code."""

from datetime import date, datetime

from sqlalchemy import DateTime, Index
from sqlmodel import Field, SQLModel

WHAT = ("rotation", "browser", "advisory", "mfa", "escalation", "attest")
HOW = ("portal", "sms", "admin")


class Acknowledgement(SQLModel, table=True):
    # Covering index of the compliance figures (hygiene.reports.figures): acknowledgements of
    # one kind in official order, without touching the table.
    __table_args__ = (
        Index("ix_acknowledgement_report", "what", "official_id", "advisory_id", "at", "acted_on"),
    )

    id: int | None = Field(default=None, primary_key=True)
    what: str = Field(max_length=16, index=True)  # one of WHAT
    how: str = Field(max_length=8)  # one of HOW
    official_id: int = Field(foreign_key="official.id", index=True, ondelete="CASCADE")
    actor: str = Field(max_length=200)  # who recorded it: the official, an admin, an SMS sender
    at: datetime = Field(sa_type=DateTime(timezone=True), index=True)
    acted_on: date  # the local day the official acted (the new last-rotated date for rotations)
    message_id: int | None = Field(
        default=None, foreign_key="message.id", index=True, ondelete="SET NULL"
    )
    advisory_id: int | None = Field(
        default=None, foreign_key="advisory.id", index=True, ondelete="SET NULL"
    )
    account_id: int | None = Field(
        default=None, foreign_key="account.id", index=True, ondelete="SET NULL"
    )
    note: str | None = Field(default=None, max_length=500)
