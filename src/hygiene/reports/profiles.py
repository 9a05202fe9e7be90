"""Which policy profile each compliance figure was measured under, per account kind.

Under "directive" an account is overdue once its due date has passed (or while compromised);
under "nist-800-63b-4" it has no due date and is overdue only while compromised and not changed
since. The report carries the profile of every kind so a reader knows which rule a figure used.
"""

from hygiene import i18n
from hygiene.settings import DIRECTIVE, Policy


def by_kind(policies: dict[str, Policy]) -> dict[str, str]:
    return {kind: policy.profile or DIRECTIVE for kind, policy in policies.items()}


def note(policies: dict[str, Policy], locale: str) -> str:
    """ "Đo theo hồ sơ chính sách: Thư điện tử, Zalo — chỉ thị …; Mạng xã hội — NIST …"."""
    groups: dict[str, list[str]] = {}
    for kind, profile in by_kind(policies).items():
        policy = policies[kind]
        label = (policy.label_vi if locale == "vi" else policy.label_en) or kind
        groups.setdefault(profile, []).append(label)
    parts = [
        f"{', '.join(labels)} — {i18n.t(f'reports.profile.{profile}', locale)}"
        for profile, labels in sorted(groups.items())
    ]
    return i18n.t("reports.profile.measured", locale, parts="; ".join(parts))
