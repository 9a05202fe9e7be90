"""Issue 14: a reminder to an official with no anti-phishing phrase points to the portal, where
the official sets it, not to the IT staff (who cannot set it for them)."""

import pytest

from hygiene.messages.render import render
from tests.messages.test_templates import sample

REMINDERS = ("rotation_upcoming", "rotation_due", "rotation_overdue", "rotation_now")
WHERE = {"vi": "cổng thông tin cán bộ", "en": "officials' portal"}
SMS_WHERE = {"vi": "cổng cán bộ", "en": "portal"}


@pytest.mark.parametrize("locale", ["vi", "en"])
@pytest.mark.parametrize("kind", REMINDERS)
def test_a_reminder_without_a_phrase_points_to_the_portal(kind: str, locale: str) -> None:
    rendered = render(kind, locale, sample(phrase=None))
    told = rendered.text.split("\n")
    sentence = next(line for line in told if WHERE[locale] in line)

    assert "công nghệ thông tin" not in sentence
    assert "IT" not in sentence
    assert WHERE[locale] in rendered.html
    assert SMS_WHERE[locale] in rendered.sms
