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


# The tallies (migration 0018): the per-account figures kept on write by database triggers,
# so the every-unit report sums a row per unit (and a per-unit histogram of due days) instead
# of reading every account. hygiene.reports.tally reads them and keeps tally_due in step with
# the rotation policy, which lives in the settings.


class TallyOfficial(SQLModel, table=True):
    """Per official: accounts in use (not disabled in a directory), never rotated, with MFA,
    saved in a browser."""

    __tablename__ = "tally_official"

    official_id: int = Field(foreign_key="official.id", primary_key=True, ondelete="CASCADE")
    accounts: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    never_rotated: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    mfa: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    browser_saved: int = Field(default=0, sa_column_kwargs={"server_default": "0"})


class TallyUnit(SQLModel, table=True):
    """Per unit: its active officials, the sums of their TallyOfficial rows, and how many of
    them have an account saved in a browser."""

    __tablename__ = "tally_unit"

    unit_id: int = Field(foreign_key="unit.id", primary_key=True, ondelete="CASCADE")
    officials: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    accounts: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    never_rotated: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    mfa: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    browser_saved: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    officials_browser_saved: int = Field(default=0, sa_column_kwargs={"server_default": "0"})


class TallyDue(SQLModel, table=True):
    """Per unit and local day number: accounts of its active officials overdue from that day."""

    __tablename__ = "tally_due"

    unit_id: int = Field(foreign_key="unit.id", primary_key=True, ondelete="CASCADE")
    day: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    n: int


class TallyPolicy(SQLModel, table=True):
    """The rotation days per periodic kind tally_due was computed with."""

    __tablename__ = "tally_policy"

    kind: str = Field(primary_key=True, max_length=32)
    rotation_days: int


class TallyClock(SQLModel, table=True):
    """The zone (and, for SQLite, its UTC offset) tally_due's local days were computed in."""

    __tablename__ = "tally_clock"

    id: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    zone: str = Field(max_length=64)
    offset_minutes: int


class TallyAck(SQLModel, table=True):
    """Per unit, advisory and local day number: acknowledged pairs (AdvisoryAck) of the unit's
    active officials first given that day (migration 0019). No foreign key to the advisory: its
    deletion trigger takes the rows away (a cascade would race the pairs' own trigger)."""

    __tablename__ = "tally_ack"

    unit_id: int = Field(foreign_key="unit.id", primary_key=True, ondelete="CASCADE")
    advisory_id: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    day: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    n: int
