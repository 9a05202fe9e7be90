"""`[channels.*]`: SMTP, the SMS gateway, Zalo ZNS and the file channel. Secrets may come from
files; each is read when asked for (`secret()`, `key()`), never kept beside the settings."""

import re
import unicodedata
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, SecretStr, field_validator, model_validator

from hygiene.settings.base import Reason, Section, read_secret

# The envelope sender: an ASCII addr-spec, its domain may be a bare host name ("localhost").
_SENDER = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*")


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

    @field_validator("from_address")
    @classmethod
    def _plain_address(cls, value: str) -> str:
        if not _SENDER.fullmatch(value):
            raise Reason("from_address")
        return value

    @field_validator("from_name")
    @classmethod
    def _one_line(cls, value: str) -> str:
        if any(unicodedata.category(char) in ("Cc", "Zl", "Zp") for char in value):
            raise Reason("from_name")
        return value

    @model_validator(mode="before")
    @classmethod
    def _implicit_tls_port(cls, data: Any) -> Any:
        """security = "tls" without a port means 465, the implicit-TLS submission port."""
        if isinstance(data, dict) and data.get("security") == "tls" and "port" not in data:
            return {**data, "port": 465}
        return data

    def secret(self) -> str | None:
        return read_secret(self.password, self.password_file)


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
        return read_secret(self.api_key, self.api_key_file)

    def secret(self) -> str | None:
        return read_secret(self.secret_key, self.secret_key_file)


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
        return read_secret(self.secret_key, self.secret_key_file)

    def refresh_secret(self) -> str | None:
        return read_secret(self.refresh_token, self.refresh_token_file)


class FileChannel(Section):
    directory: Path | None = None  # default: <data_dir>/outbox


class Channels(Section):
    smtp: Smtp = Smtp()
    sms: Sms = Sms()
    zalo: Zalo = Zalo()
    file: FileChannel = FileChannel()
