"""The audit_event table. Rows are only ever inserted; database triggers refuse UPDATE and DELETE,
and the hash chain exposes anyone who disables them."""

from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, Text
from sqlmodel import Field, SQLModel


class AuditEvent(SQLModel, table=True):
    __tablename__ = "audit_event"

    seq: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    at: datetime = Field(sa_type=DateTime(timezone=True), index=True)
    actor: str = Field(max_length=200)
    action: str = Field(max_length=64, index=True)
    subject: str = Field(max_length=200, index=True)
    data: str = Field(sa_type=Text)
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64, unique=True)


class AuditHead(SQLModel, table=True):
    """The chain's head (seq, hash of the last event) in one row: appends lock and update it
    instead of looking up the newest event, so an append costs the same at any log size and no
    query plan depends on audit_event's statistics. verify() still walks the events themselves."""

    __tablename__ = "audit_head"
    __table_args__ = (CheckConstraint("id = 1", name="ck_audit_head_single_row"),)

    id: int = Field(default=1, primary_key=True, sa_column_kwargs={"autoincrement": False})
    seq: int
    hash: str = Field(max_length=64)
