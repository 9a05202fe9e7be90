"""One validated Settings object, built once at start-up and passed down.

Sources, strongest first: keyword arguments, `HYGIENE_*` environment variables (nested keys joined
by `__`, e.g. `HYGIENE_CHANNELS__SMTP__HOST`), then the TOML file named by `HYGIENE_CONFIG`.
Secrets may come from files (`password_file`, `secret_key_file`). Invalid configuration raises
ConfigError naming the key and the reason, before anything starts.
"""

import os
import re
import tomllib
from datetime import date, time
from pathlib import Path
from typing import Any, Final, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import (
    BaseSettings,
    InitSettingsSource,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

from hygiene.errors import ConfigError
from hygiene.sources.config import Sources

_CRON = re.compile(r"^\S+(\s+\S+){4}$")
DIRECTIVE: Final = "directive"
NIST: Final = "nist-800-63b-4"
Profile = Literal["directive", "nist-800-63b-4"]
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WORKING_DAYS: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri", "sat")
PLACEHOLDER_SECRETS = {"changeme", "change-me", "changethis", "secret", "xxx"}


class KeyedError(ValueError):
    """A validation error that belongs to one key, raised by a rule spanning several sections."""

    def __init__(self, key: str, reason: str) -> None:
        super().__init__(f"{key}: {reason}")
        self.key, self.reason = key, reason


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Policy(Section):
    """Rotation rules for one account kind. `profile` None means "as `policy.profile`"; inside a
    built Settings every kind has it filled in (see Settings._profile_per_kind)."""

    profile: Profile | None = None
    rotation_days: int = Field(90, ge=1, le=3650)
    lead_days: list[int] = Field(default_factory=lambda: [14, 7, 1])
    overdue_repeat_days: int = Field(7, ge=1, le=365)
    escalate_after_days: int = Field(30, ge=1, le=3650)
    label_vi: str = ""
    label_en: str = ""
    # Other spellings the import's kind cell accepts for this kind (case and diacritics aside).
    aliases: list[str] = Field(default_factory=list)

    @property
    def periodic(self) -> bool:
        """Directive profile: reminders on a calendar. NIST SP 800-63B-4: only on compromise."""
        return self.profile != NIST

    @field_validator("lead_days")
    @classmethod
    def _lead_days_positive_descending(cls, value: list[int]) -> list[int]:
        if any(d < 1 for d in value):
            raise ValueError("lead days must be at least 1")
        return sorted(set(value), reverse=True)


def default_policies() -> dict[str, Policy]:
    return {
        "email": Policy(rotation_days=90, label_vi="Thư điện tử", label_en="Email"),
        "messaging": Policy(
            rotation_days=90,
            label_vi="Nhắn tin",
            label_en="Messaging",
            aliases=["zalo", "chat", "tin nhắn"],  # "zalo" was a kind of its own before 0011
        ),
        "social": Policy(rotation_days=90, label_vi="Mạng xã hội", label_en="Social network"),
        "government": Policy(
            rotation_days=60,
            label_vi="Hệ thống chính quyền",
            label_en="Government system",
            aliases=["hệ thống công vụ", "công vụ"],
        ),
        "other": Policy(rotation_days=180, label_vi="Khác", label_en="Other"),
    }


class PolicyDefaults(Section):
    """`profile`: "directive" (periodic rotation per kind, the default) or "nist-800-63b-4" (no
    periodic change; a check-and-attest message every `attest_every_days` days instead, and a
    forced change on evidence of compromise). A kind may set its own `profile`."""

    profile: Profile = DIRECTIVE
    attest_every_days: int = Field(90, ge=7, le=730)


def _with_profile(policy: Any, default: str) -> Any:
    if isinstance(policy, Policy):
        return policy if policy.profile else policy.model_copy(update={"profile": default})
    if isinstance(policy, dict):
        return {**policy, "profile": policy.get("profile") or default}
    return policy


def _over_default_policies(given: Any) -> Any:
    """A `[policies.X]` table adds kind X, or overrides only the keys it names for X."""
    if not isinstance(given, dict):
        return given
    merged: dict[str, Any] = {k: p.model_dump() for k, p in default_policies().items()}
    for kind, table in given.items():
        if isinstance(table, Policy):
            table = table.model_dump(exclude_unset=True)
        if isinstance(table, dict) and isinstance(merged.get(kind), dict):
            merged[kind] = {**merged[kind], **table}
        else:
            merged[kind] = table
    return merged


class Campaign(Section):
    enabled: bool = True
    cron: str

    @field_validator("cron")
    @classmethod
    def _five_fields(cls, value: str) -> str:
        if not _CRON.match(value.strip()):
            raise ValueError("cron needs five fields: minute hour day month day-of-week")
        return value.strip()


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


class Smtp(Section):
    host: str | None = None
    port: int = Field(587, ge=1, le=65535)
    security: Literal["starttls", "tls", "none"] = "starttls"
    username: str | None = None
    password: SecretStr | None = None
    password_file: Path | None = None
    from_address: str = "hygiene@localhost"
    from_name: str = "Nhắc việc an toàn thông tin"
    pool_size: int = Field(4, ge=1, le=64)
    ca_bundle: Path | None = None
    timeout: float = Field(30.0, gt=0)

    @model_validator(mode="before")
    @classmethod
    def _implicit_tls_port(cls, data: Any) -> Any:
        """security = "tls" without a port means 465, the implicit-TLS submission port."""
        if isinstance(data, dict) and data.get("security") == "tls" and "port" not in data:
            return {**data, "port": 465}
        return data

    def secret(self) -> str | None:
        return _read_secret(self.password, self.password_file)


class Sms(Section):
    """SMS gateway. `api_key` is the eSMS ApiKey or the SpeedSMS access token; `secret_key` is the
    eSMS SecretKey or the key that signs generic-webhook requests (HMAC-SHA256)."""

    provider: Literal["none", "esms", "speedsms", "webhook"] = "none"
    base_url: str | None = None  # default: the provider's public API root (webhook: required)
    api_key: SecretStr | None = None
    api_key_file: Path | None = None
    secret_key: SecretStr | None = None
    secret_key_file: Path | None = None
    brandname: str | None = None
    sms_type: str | None = None  # provider message type; default eSMS "2", SpeedSMS 3 or 4
    sandbox: bool = False  # eSMS Sandbox=1: the request is checked but nothing is sent
    unicode: bool = False
    max_segments: int = Field(3, ge=1, le=10)
    inbound_secret: SecretStr | None = None
    timeout: float = Field(15.0, gt=0)

    def key(self) -> str | None:
        return _read_secret(self.api_key, self.api_key_file)

    def secret(self) -> str | None:
        return _read_secret(self.secret_key, self.secret_key_file)


class Zalo(Section):
    """Zalo ZNS. `template_ids` maps a campaign/stage name (OutgoingMessage.zalo_template) to an
    approved ZNS template id. Zalo refresh tokens are single use: see channels/zalo.py."""

    enabled: bool = False
    base_url: str = "https://business.openapi.zalo.me"
    oauth_url: str = "https://oauth.zaloapp.com"
    app_id: str | None = None
    secret_key: SecretStr | None = None
    secret_key_file: Path | None = None
    access_token: SecretStr | None = None  # optional: a current token, used until it expires
    refresh_token: SecretStr | None = None
    refresh_token_file: Path | None = None
    template_ids: dict[str, str] = Field(default_factory=dict)
    timeout: float = Field(15.0, gt=0)

    def secret(self) -> str | None:
        return _read_secret(self.secret_key, self.secret_key_file)

    def refresh_secret(self) -> str | None:
        return _read_secret(self.refresh_token, self.refresh_token_file)


class FileChannel(Section):
    directory: Path | None = None  # default: <data_dir>/outbox


class Channels(Section):
    smtp: Smtp = Smtp()
    sms: Sms = Sms()
    zalo: Zalo = Zalo()
    file: FileChannel = FileChannel()


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


class Metrics(Section):
    token: SecretStr | None = None  # when set, GET /metrics needs `Authorization: Bearer TOKEN`
    token_file: Path | None = None

    def token_value(self) -> str | None:
        return _read_secret(self.token, self.token_file)


class Agency(Section):
    """Who issues the monthly report, in the form of administrative documents (Decree 30/2020):
    the governing agency above the issuing one, the place in the place-and-date line, and the
    person who signs."""

    name: str = "ỦY BAN NHÂN DÂN"
    parent: str = ""
    place: str = ""
    signer_name: str = ""
    signer_title: str = "Cán bộ phụ trách an toàn thông tin"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="HYGIENE_",
        env_nested_delimiter="__",
        extra="forbid",
        frozen=True,
    )

    config: Path | None = None
    data_dir: Path = Path("var")
    database_url: str | None = None
    timezone: str = "Asia/Ho_Chi_Minh"
    locale: Literal["vi", "en"] = "vi"
    secret_key: SecretStr | None = None
    secret_key_file: Path | None = None
    log_format: Literal["text", "json"] = "text"
    # Addresses (comma-separated IPs or networks, "*" for any) whose X-Forwarded-For/-Proto the
    # web server believes: the reverse proxy. Client addresses key the sign-in rate limits.
    trusted_proxies: str = "127.0.0.1"
    policy: PolicyDefaults = PolicyDefaults()
    policies: dict[str, Policy] = Field(default_factory=default_policies)
    campaigns: Campaigns = Campaigns()
    delivery: Delivery = Delivery()
    channels: Channels = Channels()
    messages: Messages = Messages()
    sources: Sources = Sources()
    breach: Breach = Breach()
    security: Security = Security()
    metrics: Metrics = Metrics()
    reports: Reports = Reports()
    agency: Agency = Agency()

    @model_validator(mode="before")
    @classmethod
    def _profile_per_kind(cls, data: Any) -> Any:
        """Every kind without its own `profile` follows `policy.profile`; a `[policies.X]`
        table adds kind X or overrides only the keys it names (the defaults stay)."""
        if not isinstance(data, dict):
            return data
        section = data.get("policy") or {}
        default = (
            section.profile
            if isinstance(section, PolicyDefaults)
            else (section.get("profile") if isinstance(section, dict) else None)
        ) or DIRECTIVE
        policies = _over_default_policies(data.get("policies") or {})
        if not isinstance(policies, dict):
            return data
        resolved = {kind: _with_profile(p, default) for kind, p in policies.items()}
        return {**data, "policies": resolved}

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown timezone {value!r}") from exc
        return value

    @field_validator("policies")
    @classmethod
    def _kind_names(cls, value: dict[str, Policy]) -> dict[str, Policy]:
        if not value:
            raise ValueError("at least one account kind needs a policy")
        for kind in value:
            if not re.fullmatch(r"[a-z][a-z0-9_]{0,31}", kind):
                raise ValueError(f"kind {kind!r}: use lower-case letters, digits and _")
        return value

    @model_validator(mode="after")
    def _lease_outlasts_a_send(self) -> "Settings":
        """A send that outlasts its lease may be sent again by another instance: keep leases
        at least twice the slowest enabled channel's timeout."""
        channels = self.channels
        timeouts = {
            "smtp": channels.smtp.timeout if channels.smtp.host else 0.0,
            "sms": channels.sms.timeout if channels.sms.provider != "none" else 0.0,
            "zalo": channels.zalo.timeout if channels.zalo.enabled else 0.0,
        }
        name, slowest = max(timeouts.items(), key=lambda item: item[1])
        if self.delivery.lease_seconds < 2 * slowest:
            raise KeyedError(
                "delivery.lease_seconds",
                f"{self.delivery.lease_seconds} s is less than twice channels.{name}.timeout"
                f" ({slowest:g} s)",
            )
        return self

    @field_validator("secret_key")
    @classmethod
    def _no_placeholder(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and value.get_secret_value().strip().lower() in PLACEHOLDER_SECRETS:
            raise ValueError("replace the placeholder secret with a random value")
        return value

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def db_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'hygiene.db'}"

    @property
    def checkpoint_path(self) -> Path:
        return self.security.checkpoint_file or self.data_dir / "audit-checkpoint"

    @property
    def kinds(self) -> list[str]:
        return list(self.policies)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        init_kwargs = (
            init_settings.init_kwargs if isinstance(init_settings, InitSettingsSource) else {}
        )
        path = init_kwargs.get("config") or os.environ.get("HYGIENE_CONFIG")
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        if path:
            sources.append(InitSettingsSource(settings_cls, _read_toml(Path(path))))
        return tuple(sources)


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text("utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError("config.missing_file", path=str(path)) from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError("config.bad_toml", path=str(path), reason=str(exc)) from exc


def _read_secret(value: SecretStr | None, file: Path | None) -> str | None:
    if file is not None:
        try:
            return file.read_text("utf-8").strip()
        except OSError as exc:
            raise ConfigError("config.secret_file", path=str(file), reason=exc.strerror) from exc
    return value.get_secret_value() if value is not None else None


def load_settings(**overrides: Any) -> Settings:
    """Build Settings or raise ConfigError naming the first bad key and why."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        first = exc.errors()[0]
        key = ".".join(str(part) for part in first["loc"]) or "?"
        reason = first["msg"]
        cause = first.get("ctx", {}).get("error")
        if isinstance(cause, KeyedError):  # a rule across sections names its own key
            key, reason = cause.key, cause.reason
        raise ConfigError(
            "config.invalid", key=key, reason=reason, count=exc.error_count()
        ) from None
