"""Counts in the messages themselves are written per locale with Babel, like the console's and
the CLI's: a compliance log of 123,456 events is "123.456 sự kiện" in Vietnamese, "123,456
events" in English; the event number stays a number ("#123456")."""

import pytest

from hygiene.messages.render import render
from tests.messages.test_templates import sample

CHECKPOINT = {"line": "x", "seq": 123456, "hash": "9f" * 32, "at": "02/03/2026 10:00",
              "count": 123456}  # fmt: skip


@pytest.mark.parametrize(
    ("locale", "written"),
    [("vi", "nhật ký có 123.456 sự kiện"), ("en", "the log holds 123,456 events")],
)
def test_the_checkpoint_message_groups_the_event_count(locale: str, written: str) -> None:
    rendered = render("audit_checkpoint", locale, sample(checkpoint=CHECKPOINT))

    assert written in rendered.text
    assert written in rendered.html
    assert "#123456" in rendered.text


@pytest.mark.parametrize(("locale", "written"), [("vi", "1.200 cán bộ"), ("en", "1,200 official")])
def test_an_escalation_subject_groups_its_count(locale: str, written: str) -> None:
    officials = [
        {"full_name": "A", "employee_id": f"CB{n}", "systems": "Zalo"} for n in range(1200)
    ]

    rendered = render("escalation", locale, sample(officials=officials))

    assert written in rendered.subject
