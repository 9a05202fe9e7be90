"""build(name, config) -> Source: the only place where an adapter is chosen for a kind."""

from hygiene.errors import ConfigError
from hygiene.i18n import Phrase
from hygiene.settings import SourceConfig
from hygiene.sources.base import Source


def build(name: str, config: SourceConfig) -> Source:
    if config.kind in ("ad", "openldap", "freeipa"):
        from hygiene.sources.ldap import LdapSource

        return LdapSource(name, config)
    if config.kind == "zimbra":
        from hygiene.sources.zimbra import ZimbraSource

        return ZimbraSource(name, config)
    if config.kind == "graph":
        from hygiene.sources.graph import GraphSource

        return GraphSource(name, config)
    if config.kind == "google":
        from hygiene.sources.google import GoogleSource

        return GoogleSource(name, config)
    reason = Phrase("config.reason.source_kind", {"kind": config.kind})
    raise ConfigError("config.invalid", key=f"sources.{name}.kind", reason=reason, count=1)
