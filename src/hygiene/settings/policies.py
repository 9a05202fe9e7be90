"""`[policy]` and `[policies.KIND]`: the rotation rules per account kind and their profile."""

from typing import Any, Final, Literal

from pydantic import Field, field_validator

from hygiene.settings.base import Reason, Section

DIRECTIVE: Final = "directive"
NIST: Final = "nist-800-63b-4"
Profile = Literal["directive", "nist-800-63b-4"]


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
            raise Reason("lead_days")
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


def policies_with_profiles(data: Any) -> Any:
    """Settings' raw input with `policies` merged over the defaults and every kind's `profile`
    filled in from `policy.profile` (DIRECTIVE when neither names one)."""
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
