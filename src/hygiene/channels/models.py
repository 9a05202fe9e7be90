"""Channel state shared by instances: today only Zalo's OAuth tokens (see token_store.py)."""

from datetime import datetime

from sqlalchemy import DateTime, Text
from sqlmodel import Field, SQLModel


class ChannelToken(SQLModel, table=True):
    __tablename__ = "channel_token"

    channel: str = Field(primary_key=True, max_length=32)
    sealed: str = Field(default="", sa_type=Text)  # Fernet token of the JSON tokens, or ""
    seed: str = Field(max_length=64)  # HMAC of the configured refresh token it started from
    updated_at: datetime = Field(sa_type=DateTime(timezone=True))
