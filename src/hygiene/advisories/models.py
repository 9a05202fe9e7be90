"""The advisory table: what the security officer publishes; digests list the new ones."""

from datetime import datetime

from sqlalchemy import DateTime, Text
from sqlmodel import Field, SQLModel


class Advisory(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=200)
    body: str = Field(sa_type=Text)
    severity: str = Field(default="medium", max_length=8)
    reference: str | None = Field(default=None, max_length=100)
    requires_ack: bool = False
    published_at: datetime = Field(sa_type=DateTime(timezone=True), index=True)
    created_by: str = Field(max_length=200)
