"""The incident_report table: what an official reported, kept for the security officer."""

from datetime import date, datetime

from sqlalchemy import DateTime, Text
from sqlmodel import Field, SQLModel

CHANNELS = ("zalo", "email", "sms", "phone", "social", "other")


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
    status: str = Field(default="new", max_length=16)
    created_at: datetime = Field(sa_type=DateTime(timezone=True), index=True)
