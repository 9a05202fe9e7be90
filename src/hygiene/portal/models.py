"""One-time portal sign-in codes. Only a keyed hash of each code is stored."""

from datetime import datetime

from sqlalchemy import DateTime
from sqlmodel import Field, SQLModel


class PortalCode(SQLModel, table=True):
    __tablename__ = "portal_code"

    id: int | None = Field(default=None, primary_key=True)
    official_id: int = Field(foreign_key="official.id", index=True, ondelete="CASCADE")
    code_hmac: str = Field(max_length=64)
    channel: str | None = Field(default=None, max_length=32)
    attempts: int = 0
    created_at: datetime = Field(sa_type=DateTime(timezone=True))
    expires_at: datetime = Field(sa_type=DateTime(timezone=True))
    used_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
