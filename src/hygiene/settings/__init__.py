"""One validated Settings object, built once at start-up and passed down.

Sources, strongest first: keyword arguments, `HYGIENE_*` environment variables (nested keys joined
by `__`, e.g. `HYGIENE_CHANNELS__SMTP__HOST`), then the TOML file named by `HYGIENE_CONFIG`.
Secrets may come from files (`password_file`, `secret_key_file`). Invalid configuration raises
ConfigError naming the key and the reason, before anything starts.

One module per group of sections: `policies` (`[policy]`, `[policies.KIND]`), `channels`
(`[channels.*]`), `sources` (`[sources]`, the directories), `sections` (the smaller ones) and
`model` (Settings itself, the rules across sections, `load_settings`); `base` holds what they share.
Import the names from here: `from hygiene.settings import Settings`.
"""

from hygiene.settings.base import KeyedError, Section
from hygiene.settings.channels import Channels, FileChannel, Sms, Smtp, Zalo
from hygiene.settings.model import PLACEHOLDER_SECRETS, Settings, load_settings
from hygiene.settings.policies import (
    DIRECTIVE,
    NIST,
    Policy,
    PolicyDefaults,
    Profile,
    default_policies,
)
from hygiene.settings.sections import (
    WORKING_DAYS,
    Agency,
    Breach,
    Campaign,
    Campaigns,
    Delivery,
    Messages,
    Metrics,
    Reports,
    Security,
    Weekday,
)
from hygiene.settings.sources import KINDS, SourceConfig, Sources

__all__ = [
    "DIRECTIVE",
    "KINDS",
    "NIST",
    "PLACEHOLDER_SECRETS",
    "WORKING_DAYS",
    "Agency",
    "Breach",
    "Campaign",
    "Campaigns",
    "Channels",
    "Delivery",
    "FileChannel",
    "KeyedError",
    "Messages",
    "Metrics",
    "Policy",
    "PolicyDefaults",
    "Profile",
    "Reports",
    "Section",
    "Security",
    "Settings",
    "Sms",
    "Smtp",
    "SourceConfig",
    "Sources",
    "Weekday",
    "Zalo",
    "default_policies",
    "load_settings",
]
