"""Devices and probe reports. A report row holds counts per browser profile and the policy
state — the probe never sends URLs, usernames or passwords, and the API refuses any other field."""

from datetime import datetime

from sqlalchemy import DateTime, Text
from sqlmodel import Field, SQLModel


class Device(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    official_id: int = Field(foreign_key="official.id", index=True, ondelete="CASCADE")
    name: str = Field(max_length=100)
    token_hmac: str = Field(max_length=64, unique=True)
    created_at: datetime = Field(sa_type=DateTime(timezone=True))
    last_report_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
    last_saved_logins: int | None = None
    revoked_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))


class ProbeReport(SQLModel, table=True):
    __tablename__ = "probe_report"

    id: int | None = Field(default=None, primary_key=True)
    device_id: int = Field(foreign_key="device.id", index=True, ondelete="CASCADE")
    official_id: int = Field(foreign_key="official.id", index=True, ondelete="CASCADE")
    received_at: datetime = Field(sa_type=DateTime(timezone=True), index=True)
    generated_at: datetime = Field(sa_type=DateTime(timezone=True))
    hostname: str = Field(max_length=100)
    os: str = Field(max_length=100)
    saved_logins: int  # the sum over profiles that could be read
    unreadable_profiles: int
    policy_enforced: bool | None = None
    profiles: str = Field(sa_type=Text)  # canonical JSON of the validated entries
