"""The Settings model: every section, the rules that span sections, and where values come from."""

import os
import re
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import (
    BaseSettings,
    InitSettingsSource,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

from hygiene import reasons
from hygiene.errors import ConfigError
from hygiene.settings.base import KeyedError, Reason, read_toml
from hygiene.settings.channels import Channels
from hygiene.settings.policies import (
    Policy,
    PolicyDefaults,
    default_policies,
    policies_with_profiles,
)
from hygiene.settings.sections import (
    Agency,
    Breach,
    Campaigns,
    Delivery,
    Messages,
    Metrics,
    Reports,
    Security,
)
from hygiene.settings.sources import Sources

PLACEHOLDER_SECRETS = {"changeme", "change-me", "changethis", "secret", "xxx"}


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
        return policies_with_profiles(data)

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise Reason("timezone", value=value) from exc
        return value

    @field_validator("policies")
    @classmethod
    def _kind_names(cls, value: dict[str, Policy]) -> dict[str, Policy]:
        if not value:
            raise Reason("no_policy")
        for kind in value:
            if not re.fullmatch(r"[a-z][a-z0-9_]{0,31}", kind):
                raise Reason("kind_name", kind=kind)
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
                "lease",
                lease=self.delivery.lease_seconds,
                channel=name,
                timeout=f"{slowest:g}",
            )
        return self

    @field_validator("secret_key")
    @classmethod
    def _no_placeholder(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and value.get_secret_value().strip().lower() in PLACEHOLDER_SECRETS:
            raise Reason("placeholder_secret")
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
            sources.append(InitSettingsSource(settings_cls, read_toml(Path(path))))
        return tuple(sources)


def load_settings(**overrides: Any) -> Settings:
    """Build Settings or raise ConfigError naming the first bad key and why, in words of the
    catalogue (hygiene.reasons, config.reason.*)."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        first = exc.errors()[0]
        key = ".".join(str(part) for part in first["loc"]) or "?"
        cause = first.get("ctx", {}).get("error")
        if isinstance(cause, KeyedError):  # a rule across sections names its own key
            key = cause.key
        reason = cause.phrase if isinstance(cause, Reason) else reasons.phrase(first)
        raise ConfigError(
            "config.invalid", key=key, reason=reason, count=exc.error_count()
        ) from None
