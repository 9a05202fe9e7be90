"""The audit_event table. Rows are only ever inserted; database triggers refuse UPDATE and DELETE,
and the hash chain exposes anyone who disables them."""

from datetime import datetime

from sqlalchemy import DateTime, Text
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
