"""Tables of the sources package. No column holds a secret or a password.

`source_entry` keeps the last observation of each directory identity, keyed by the value an
inventory login is matched against; a sync replaces a source's rows. `source_run` records every
sync (and every failed attempt): what /healthz, /metrics and the console show.
"""

from datetime import date, datetime

from sqlalchemy import DateTime, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel


class SourceEntry(SQLModel, table=True):
    __tablename__ = "source_entry"
    __table_args__ = (UniqueConstraint("source", "match_key", name="uq_source_entry_key"),)

    id: int | None = Field(default=None, primary_key=True)
    source: str = Field(max_length=32)
    match_key: str = Field(max_length=254)
    identity: str = Field(max_length=254)
    email: str | None = Field(default=None, max_length=254)
    changed_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
    changed_on: date | None = None  # changed_at's local calendar day
    expires_on: date | None = None  # the directory's own computed expiry, local day
    never_expires: bool = False
    disabled: bool | None = None
    mfa: bool | None = None
    manager: str | None = Field(default=None, max_length=500)
    display_name: str | None = Field(default=None, max_length=200)
    run_id: int = Field(default=0, index=True)
    seen_at: datetime = Field(sa_type=DateTime(timezone=True))


class SourceRun(SQLModel, table=True):
    __tablename__ = "source_run"
    __table_args__ = (Index("ix_source_run_source_started", "source", "started_at"),)

    id: int | None = Field(default=None, primary_key=True)
    source: str = Field(max_length=32)
    started_at: datetime = Field(sa_type=DateTime(timezone=True))
    finished_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
    outcome: str = Field(default="running", max_length=16)  # ok | unavailable | refused | error
    attempt: int = 1
    error_code: str | None = Field(default=None, max_length=64)
    detail: str | None = Field(default=None, sa_type=Text)  # never a secret: see sync.safe_detail
    entries: int = 0
    matched: int = 0
    changed: int = 0
    changes_hash: str | None = Field(default=None, max_length=64)
