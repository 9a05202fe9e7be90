"""Issue 14: every code a person sees has a Vietnamese and an English label (hygiene.labels):
campaigns, message kinds and statuses, incident statuses and channels, roles, severities,
channels and account kinds. The codes are taken from the modules that define them, so a code
added there without a label fails here."""

import pytest

from hygiene import i18n, labels
from hygiene.advisories.service import SEVERITIES
from hygiene.audit import checkpoints
from hygiene.bootstrap import CHANNEL_NAMES
from hygiene.campaigns.service import CAMPAIGNS
from hygiene.incidents import notify
from hygiene.incidents.models import CHANNELS as INCIDENT_CHANNELS
from hygiene.incidents.models import STATUSES as INCIDENT_STATUSES
from hygiene.messages.render import KINDS
from hygiene.outbox.service import STATUSES as MESSAGE_STATUSES
from hygiene.portal import signin
from hygiene.settings import Settings
from hygiene.users.service import ROLES

CODES = {
    "campaign": {*CAMPAIGNS, notify.CAMPAIGN, checkpoints.CAMPAIGN, signin.CAMPAIGN},
    "message_kind": set(KINDS),
    "message_status": set(MESSAGE_STATUSES),
    "incident_status": set(INCIDENT_STATUSES),
    "incident_channel": set(INCIDENT_CHANNELS),
    "role": set(ROLES),
    "severity": set(SEVERITIES),
    "channel": {*(c for c in CHANNEL_NAMES if c != "smtp"), "email"},  # smtp sends "email"
}


@pytest.mark.parametrize("namespace", sorted(CODES))
@pytest.mark.parametrize("locale", ["vi", "en"])
def test_every_code_has_a_label(namespace: str, locale: str) -> None:
    unlabelled = sorted(
        code for code in CODES[namespace] if labels.label(namespace, code, locale) == code
    )

    assert not unlabelled, f"{namespace} codes shown raw in {locale}: {unlabelled}"


@pytest.mark.parametrize("locale", ["vi", "en"])
def test_every_default_account_kind_has_a_label(locale: str) -> None:
    policies = Settings().policies
    shown = {k: labels.label("kind", k, locale, kinds=policies) for k in policies}

    assert set(policies) == {"email", "messaging", "social", "government", "other"}
    assert all(shown[k] != k for k in ("messaging", "social", "government", "other"))
    assert shown["messaging"] == i18n.t("label.kind.messaging", locale)
