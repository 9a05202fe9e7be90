"""The compliance_snapshot table: one row per unit per local day, the figures as they stood
when the day's snapshot was (last) taken. The trend reads them; past figures cannot be rebuilt
from the inventory, which keeps only each account's latest rotation."""

from datetime import date, datetime

from sqlalchemy import DateTime
from sqlmodel import Field, SQLModel


class ComplianceSnapshot(SQLModel, table=True):
    __tablename__ = "compliance_snapshot"

    day: date = Field(primary_key=True)
    unit_id: int = Field(foreign_key="unit.id", primary_key=True, ondelete="CASCADE")
    taken_at: datetime = Field(sa_type=DateTime(timezone=True))
    officials: int
    accounts: int
    overdue: int
    never_rotated: int
    mfa: int
    browser_saved: int
    officials_browser_saved: int
    browser_declared: int
    advisory_expected: int
    advisory_acked: int
    probe_officials: int
    probe_saved_logins: int


class AdvisoryAck(SQLModel, table=True):
    """One row per (official, advisory) acknowledged, with the first acknowledgement's time.

    Kept by a database trigger on every INSERT into acknowledgement (what = "advisory"), in the
    same transaction (migration 0017): the compliance figures count these pairs instead of
    making a million acknowledgements distinct on every request. Deleting the official or the
    advisory deletes the pair, as it takes the acknowledgements out of the figures."""

    __tablename__ = "advisory_ack"

    official_id: int = Field(foreign_key="official.id", primary_key=True, ondelete="CASCADE")
    advisory_id: int = Field(foreign_key="advisory.id", primary_key=True, ondelete="CASCADE")
    at: datetime = Field(sa_type=DateTime(timezone=True))
