"""The smaller sections: campaigns' schedules, delivery, messages, breach index, security limits,
metrics, reports and the issuing agency."""

from datetime import date, time
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator

from hygiene.settings.base import Section, five_field_cron, read_secret

Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WORKING_DAYS: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri", "sat")


class Campaign(Section):
    enabled: bool = True
    cron: str

    @field_validator("cron")
    @classmethod
    def _five_fields(cls, value: str) -> str:
        return five_field_cron(value)


class Campaigns(Section):
    rotation: Campaign = Campaign(cron="0 8 * * mon-sat")
    # Daily: the keys make it monthly for everyone and every browser_saved_every_days for
    # officials with a password saved in a browser.
    browser: Campaign = Campaign(cron="0 9 * * mon-sat")
    digest: Campaign = Campaign(cron="0 8 * * mon")
    escalation: Campaign = Campaign(cron="0 10 * * mon-fri")
    # Daily: the keys make it once per policy.attest_every_days, only for NIST-profile kinds.
    attest: Campaign = Campaign(cron="30 9 * * mon-fri")
    browser_every_months: int = Field(1, ge=1, le=12)
    browser_saved_every_days: int = Field(7, ge=1, le=90)


class Delivery(Section):
    window_start: time = time(7, 30)
    window_end: time = time(21, 0)
    days: list[Weekday] = Field(default_factory=lambda: list(WORKING_DAYS))
    holidays: list[date] = Field(default_factory=list)
    redirect_to: str | None = None
    interval_seconds: int = Field(5, ge=1, le=3600)
    batch_size: int = Field(100, ge=1, le=10_000)
    concurrency: int = Field(4, ge=1, le=64)  # sends in flight per worker (≈ smtp.pool_size)
    lease_seconds: int = Field(300, ge=10, le=86_400)
    max_attempts: int = Field(8, ge=1, le=100)
    backoff_base_seconds: float = Field(30.0, gt=0)
    backoff_max_seconds: float = Field(6 * 3600.0, gt=0)
    rate_per_minute: dict[str, int] = Field(default_factory=dict)
    rate_per_day: dict[str, int] = Field(default_factory=dict)
    # Beyond this difference between an instance's clock and the database's, a warning (log,
    # /healthz, /metrics). Leases follow the database's clock whatever the skew.
    max_clock_skew_seconds: float = Field(10.0, gt=0)


class Reports(Section):
    # The daily compliance snapshot (hygiene.reports.snapshot); it also runs when the
    # scheduler starts. Late in the day, so a day's row shows how the day ended.
    snapshot: Campaign = Campaign(cron="50 23 * * *")


class Messages(Section):
    include_portal_address: bool = False
    portal_address: str | None = None
    templates_dir: Path | None = None  # default: config/templates when it exists
    ack_code_days: int = Field(30, ge=1, le=365)


class Breach(Section):
    """The offline breached-password index built by `hygiene breach-index build` (none: the
    strength check runs without it)."""

    index: Path | None = None


class Security(Section):
    """Limits of the web service and the compliance log's anchor (see docs/threat-model.md)."""

    api_token_days: int = Field(90, ge=1, le=3650)  # a new API token's lifetime
    upload_max_mb: int = Field(20, ge=1, le=1024)  # multipart bodies (spreadsheets)
    json_max_kb: int = Field(64, ge=1, le=65536)  # every other request body
    checkpoint_file: Path | None = None  # default: <data_dir>/audit-checkpoint
    # Portal sign-in answers no sooner than this, known identifier or not (no timing oracle).
    sign_in_answer_ms: int = Field(300, ge=0, le=5000)
    # The daily compliance-log checkpoint emailed to the security officers (hygiene.jobs).
    checkpoint: Campaign = Campaign(cron="0 7 * * *")
    # Processes a verification of a long compliance log walks it with (hygiene.audit.verifier),
    # at most; default: one per CPU. 1: one walk in the process that asked, on a host whose
    # other work (delivery, PostgreSQL) must keep its cores.
    verify_workers: int | None = Field(None, ge=1, le=64)


class Metrics(Section):
    token: SecretStr | None = None  # when set, GET /metrics needs `Authorization: Bearer TOKEN`
    token_file: Path | None = None

    def token_value(self) -> str | None:
        return read_secret(self.token, self.token_file)


class Agency(Section):
    """Who issues the monthly report, in the form of administrative documents (Decree 30/2020):
    the governing agency above the issuing one, the place in the place-and-date line, and the
    person who signs."""

    name: str = "ỦY BAN NHÂN DÂN"
    parent: str = ""
    place: str = ""
    signer_name: str = ""
    signer_title: str = "Cán bộ phụ trách an toàn thông tin"
