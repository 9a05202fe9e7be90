"""Inventory tables. No column holds a password, by design and by test (tests/test_schema.py).

Table models do not validate their input: services validate with the non-table models in
hygiene.inventory.schemas first.
"""

from datetime import date, datetime

from sqlalchemy import DateTime, Index, UniqueConstraint
from sqlmodel import Field, SQLModel


class Unit(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200, unique=True)
    parent_id: int | None = Field(default=None, foreign_key="unit.id", ondelete="SET NULL")
    # Not a foreign key: unit and official would reference each other; the service checks it.
    head_official_id: int | None = Field(default=None, index=True)
    created_at: datetime = Field(sa_type=DateTime(timezone=True))


class Official(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    employee_id: str = Field(max_length=64, unique=True)
    full_name: str = Field(max_length=200)
    unit_id: int = Field(foreign_key="unit.id", index=True)
    email: str | None = Field(default=None, max_length=254)
    phone: str | None = Field(default=None, max_length=20)
    locale: str = Field(default="vi", max_length=5)
    preferred_channels: str = Field(default="email,sms", max_length=100)
    anti_phishing_phrase: str | None = Field(default=None, max_length=100)
    active: bool = True
    created_at: datetime = Field(sa_type=DateTime(timezone=True))
    updated_at: datetime = Field(sa_type=DateTime(timezone=True))


class Account(SQLModel, table=True):
    __table_args__ = (
        UniqueConstraint("official_id", "system", "login", name="uq_account_key"),
        # Covering index of the compliance figures (hygiene.reports.figures): read in official
        # order without touching the table.
        Index(
            "ix_account_report",
            "official_id",
            "kind",
            "last_rotated_on",
            "mfa",
            "browser_saved",
            "created_at",
            "compromised_at",
            "expires_on",
            "inactive_reason",
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    official_id: int = Field(foreign_key="official.id", index=True, ondelete="CASCADE")
    system: str = Field(max_length=100)
    kind: str = Field(max_length=32, index=True)
    login: str = Field(default="", max_length=254)
    last_rotated_on: date | None = Field(default=None, index=True)
    mfa: bool = False
    browser_saved: bool = False
    strength_score: int | None = None
    strength_checked_on: date | None = None
    compromised_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
    # Evidence (hygiene.sources): where the rotation and MFA facts came from. "portal" / "sms"
    # (declared by the official), "admin" (entered by an admin; NULL before this was recorded:
    # import, console, CLI) or "directory:NAME" (observed there; *_seen_at is the directory's
    # own change time).
    rotation_source: str | None = Field(default=None, max_length=48)
    rotation_seen_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
    mfa_source: str | None = Field(default=None, max_length=48)
    mfa_seen_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
    # The directory's computed expiry wins over the kind's policy (campaigns.stages).
    expires_on: date | None = None
    # Set when a directory reports the account disabled ("directory:NAME"): no reminders.
    inactive_reason: str | None = Field(default=None, max_length=100)
    inactive_since: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
    created_at: datetime = Field(sa_type=DateTime(timezone=True))
    updated_at: datetime = Field(sa_type=DateTime(timezone=True))
