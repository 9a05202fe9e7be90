"""Labels of the codes a person reads: statuses, kinds, channels, roles, severities, campaigns,
audit actions and actors, source kinds.

`label(namespace, code, locale)` gives the Vietnamese or English label of one stored code, or the
code itself when the catalogue has none (a code added later shows up instead of vanishing).
Account kinds are labelled by their policy (`label_vi` / `label_en` in the configuration), so a
kind an office adds in its config file is shown with the office's own name for it. Values that
hold several codes ("admin,security", "email,sms") are labelled one by one.
"""

from collections.abc import Mapping
from typing import Protocol

from hygiene import i18n

# Namespaces whose labels already live elsewhere in the catalogue (the console's words).
_TEMPLATES = {
    "message_status": "console.status.{code}",
    "incident_status": "incidents.status.{code}",
    "incident_channel": "incident.channel_{code}",
    "exposure_status": "exposures.status_{code}",
    "exposure_match": "exposures.on_{code}",
}
LISTS = frozenset({"role", "channel"})  # stored comma-separated


class KindPolicy(Protocol):
    """A policy's labels (hygiene.settings.Policy), as labels and the importer read them."""

    @property
    def label_vi(self) -> str: ...
    @property
    def label_en(self) -> str: ...


def label(
    namespace: str,
    code: str,
    locale: str,
    *,
    kinds: Mapping[str, KindPolicy] | None = None,
) -> str:
    """The label of `code` in `namespace` (`kind`, `role`, `message_status`, …) in `locale`."""
    if namespace in LISTS and "," in code:
        parts = [p.strip() for p in code.split(",") if p.strip()]
        return ", ".join(label(namespace, p, locale, kinds=kinds) for p in parts)
    if namespace == "kind" and kinds is not None and code in kinds:
        policy = kinds[code]
        chosen = policy.label_vi if locale == "vi" else policy.label_en
        if chosen or policy.label_vi:
            return chosen or policy.label_vi
    key = _TEMPLATES.get(namespace, "label." + namespace + ".{code}").format(code=code)
    if key in i18n.catalogue():
        return i18n.t(key, locale)
    return code


def actor(code: str, locale: str) -> str:
    """Who an audit event names, as a person reads it: "user:it@huyen.example" becomes
    "Người dùng quản trị: it@huyen.example", "scheduler" becomes "Bộ lập lịch". The kind is the
    part before ":" (namespace `audit_actor`); an unknown kind is shown as stored."""
    kind, _, who = code.partition(":")
    key = f"label.audit_actor.{kind}"
    if key not in i18n.catalogue():
        return code
    name = i18n.t(key, locale)
    return f"{name}: {who}" if who else name
