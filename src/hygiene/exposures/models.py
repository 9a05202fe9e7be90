"""Exposure tables. No column holds a leaked value in clear: a match keeps the masked identifier
only, and unmatched entries are counted, never stored. No column holds a password."""

from datetime import datetime

from sqlalchemy import DateTime, UniqueConstraint
from sqlmodel import Field, SQLModel


class Exposure(SQLModel, table=True):
    """One imported list: who sent it, their reference, and what it matched."""

    id: int | None = Field(default=None, primary_key=True)
    source: str = Field(max_length=200)  # "Công an tỉnh Lai Châu"
    reference: str = Field(max_length=200)  # the letter or ticket number it came with
    imported_at: datetime = Field(sa_type=DateTime(timezone=True), index=True)
    actor: str = Field(max_length=200)
    file_sha256: str = Field(max_length=64)
    entries: int  # distinct identifiers read
    matched: int  # identifiers that matched at least one account
    unmatched: int
    accounts: int  # accounts forced to rotate


class ExposureMatch(SQLModel, table=True):
    __tablename__ = "exposure_match"
    __table_args__ = (UniqueConstraint("exposure_id", "account_id", name="uq_exposure_account"),)

    id: int | None = Field(default=None, primary_key=True)
    exposure_id: int = Field(foreign_key="exposure.id", index=True, ondelete="CASCADE")
    account_id: int = Field(foreign_key="account.id", index=True, ondelete="CASCADE")
    matched_on: str = Field(max_length=8)  # email | phone | login | admin (flagged by hand)
    shown: str = Field(max_length=40)  # the identifier, masked (ng***@…)
