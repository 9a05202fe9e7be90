"""The incident_report table: what an official reported, kept for the security officer."""

from datetime import date, datetime

from sqlalchemy import DateTime, Text
from sqlmodel import Field, SQLModel

CHANNELS = ("zalo", "email", "sms", "phone", "social", "other")
# new → forwarded (to the police) → closed; a closed report may be reopened to new.
STATUSES = ("new", "forwarded", "closed")


class IncidentReport(SQLModel, table=True):
    __tablename__ = "incident_report"

    id: int | None = Field(default=None, primary_key=True)
    # Reports outlive the inventory row: a deleted official leaves the report in place.
    official_id: int | None = Field(
        default=None, foreign_key="official.id", index=True, ondelete="SET NULL"
    )
    reported_by: str = Field(max_length=200)
    channel: str = Field(max_length=16)  # one of CHANNELS
    occurred_on: date | None = None
    description: str = Field(sa_type=Text)
    status: str = Field(default="new", max_length=16)  # one of STATUSES
    created_at: datetime = Field(sa_type=DateTime(timezone=True), index=True)
    updated_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))


class IncidentNote(SQLModel, table=True):
    """A security officer's note on a report (what was done, who was called)."""

    __tablename__ = "incident_note"

    id: int | None = Field(default=None, primary_key=True)
    incident_id: int = Field(foreign_key="incident_report.id", index=True, ondelete="CASCADE")
    author: str = Field(max_length=254)
    text: str = Field(sa_type=Text)
    created_at: datetime = Field(sa_type=DateTime(timezone=True))
