"""The probe report as the API accepts it: exactly the probe's fields, nothing more (extra fields
are refused, so a modified probe cannot smuggle URLs or usernames into the database)."""

from datetime import datetime
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

Browser = Literal["chrome", "edge", "coccoc", "brave", "chromium", "firefox"]


class ProfileEntry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    browser: Browser
    profile: str = Field(min_length=1, max_length=100, pattern=r"^[^/\\:]+$")
    saved_logins: int | None = Field(default=None, ge=0, le=1_000_000)
    error: Literal["locked", "corrupt", "unreadable"] | None = None
    reason: str | None = Field(default=None, max_length=200)
    policy_disables_password_manager: bool | None = None


class ReportIn(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    schema_version: Literal[1]
    probe_version: str = Field(max_length=20)
    hostname: str = Field(max_length=100)
    os: str = Field(max_length=100)
    generated_at: AwareDatetime
    profiles: list[ProfileEntry] = Field(max_length=200)


class ReportAccepted(BaseModel):
    device: str
    official: str
    saved_logins: int
    warning_planned: bool
    received_at: datetime
