"""The `[sources]` configuration: shared keys, then one `[sources.NAME]` table per directory that
`hygiene.sources` reads evidence from.

    [sources]
    grace_days = 7                 # a declared rotation must show in the directory within this
    declared_not_seen = "remind"   # "remind": also send a rotate-now reminder; "list": only list

    [sources.ad]
    kind = "ad"                    # ad | openldap | freeipa | zimbra | graph | google
    url = "ldaps://dc1.example.vn"
    bind = "CN=hygiene-ro,CN=Users,DC=example,DC=vn"
    secret_file = "/etc/hygiene/ad.secret"
    base = "CN=Users,DC=example,DC=vn"
    covers = ["Email công vụ"]     # the inventory systems whose accounts live in this directory
    match = "login"                # login | email | login@domain (with `domain`)
    cron = "30 6 * * *"
    # `hygiene sources import ad`: directory entries missing from the inventory become officials
    import_system = "Email công vụ"  # the account created (default: the first of `covers`)
    import_unit = ""               # the unit of an entry without a department ("" = refused)
    import_employee_id = "attribute"  # employeeID / employeeNumber; or "identity" (the login)

The secret is only ever read from `secret_file`, when a source connects.
"""

import re
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from hygiene.settings.base import Reason, Section, five_field_cron, read_secret

KINDS = ("ad", "openldap", "freeipa", "zimbra", "graph", "google")
Kind = Literal["ad", "openldap", "freeipa", "zimbra", "graph", "google"]
Match = Literal["login", "email", "login@domain"]
_NAME = re.compile(r"[a-z][a-z0-9_-]{0,27}")  # + ".dry" fits source_entry.source
SHARED_KEYS = ("grace_days", "declared_not_seen", "retry_minutes", "retries")


class SourceConfig(Section):
    kind: Kind
    url: str
    bind: str = ""
    secret_file: Path | None = None
    base: str = ""  # LDAP base DN; Zimbra: a domain to search (optional)
    tenant: str = ""  # Graph tenant id; Google customer id (default my_customer)
    subject: str = ""  # Google: the admin the service account acts as
    token_url: str = ""  # Graph / Google token endpoint (default: the provider's)
    covers: list[str] = Field(min_length=1)
    match: Match = "login"
    domain: str = ""
    cron: str | None = None
    enabled: bool = True
    ca_file: Path | None = None
    verify_tls: bool = True
    timeout: float = Field(30.0, gt=0, le=600)
    page_size: int = Field(500, ge=1, le=5000)
    since_days: int = Field(180, ge=1, le=180)  # Google Reports keeps 180 days
    import_system: str = ""
    import_unit: str = ""
    import_employee_id: Literal["attribute", "identity"] = "attribute"

    @field_validator("cron")
    @classmethod
    def _five_fields(cls, value: str | None) -> str | None:
        return five_field_cron(value) if value is not None else None

    @model_validator(mode="after")
    def _domain_for_match(self) -> "SourceConfig":
        if self.match == "login@domain" and not self.domain:
            raise Reason("match_domain")
        return self

    @model_validator(mode="after")
    def _import_system_covered(self) -> "SourceConfig":
        if self.import_system and self.import_system not in self.covers:
            raise Reason("import_system")
        return self

    @property
    def system(self) -> str:
        """The inventory system of the accounts `sources import` creates."""
        return self.import_system or self.covers[0]

    def login_of(self, identity: str, email: str | None) -> str | None:
        """The inventory login that `match_key` pairs with this entry (case kept)."""
        if self.match == "email":
            return email.strip() if email else None
        if self.match == "login@domain":
            return f"{identity.strip()}@{self.domain.strip()}"
        return identity.strip() or None

    def secret(self) -> str:
        """The bind secret, read from its file now (never kept on the object)."""
        return read_secret(None, self.secret_file) or ""

    def match_key(self, identity: str, email: str | None) -> str | None:
        """The value an inventory login must equal (case-insensitively) to be this entry."""
        if self.match == "email":
            return email.strip().lower() if email else None
        if self.match == "login@domain":
            return f"{identity.strip().lower()}@{self.domain.strip().lower()}"
        return identity.strip().lower() or None


class Sources(Section):
    grace_days: int = Field(7, ge=0, le=365)
    declared_not_seen: Literal["remind", "list"] = "remind"
    retry_minutes: int = Field(10, ge=1, le=1440)  # a source that is down is tried again …
    retries: int = Field(3, ge=0, le=20)  # … this many times before the next scheduled run
    entries: dict[str, SourceConfig] = Field(default_factory=dict)

    @model_validator(mode="before")
    @classmethod
    def _split_entries(cls, data: Any) -> Any:
        """`[sources.NAME]` tables sit beside the shared keys: gather them under `entries`."""
        if not isinstance(data, dict):
            return data
        shared = {k: v for k, v in data.items() if k in SHARED_KEYS or k == "entries"}
        entries = dict(shared.pop("entries", {}) or {})
        for name, value in data.items():
            if name in SHARED_KEYS or name == "entries":
                continue
            if not _NAME.fullmatch(name):
                raise Reason("source_name", name=name)
            entries[name] = value
        return {**shared, "entries": entries}
