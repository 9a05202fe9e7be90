"""The MIME message the SMTP channel builds."""

from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest

from hygiene.channels.base import PermanentError
from hygiene.channels.email_message import build_email, to_bytes
from tests.channels.conftest import outgoing

FROM_NAME = "Nhắc việc an toàn thông tin"


def wire(**changes: Any) -> EmailMessage:
    email = build_email(outgoing(**changes), from_address="nv@ubnd.example", from_name=FROM_NAME)
    parsed = message_from_bytes(to_bytes(email), policy=policy.default)
    assert isinstance(parsed, EmailMessage)
    return parsed


def test_it_sends_only_ascii_on_the_wire() -> None:
    email = build_email(outgoing(), from_address="nv@ubnd.example", from_name=FROM_NAME)

    to_bytes(email).decode("ascii")


def test_it_encodes_the_sender_name() -> None:
    assert wire()["From"] == f"{FROM_NAME} <nv@ubnd.example>"


def test_it_marks_the_message_auto_generated() -> None:
    assert wire()["Auto-Submitted"] == "auto-generated"


def test_it_dates_the_message() -> None:
    assert wire()["Date"].datetime.tzinfo is not None


def test_it_sends_text_alone_without_html() -> None:
    assert wire().get_content_type() == "text/plain"


def test_it_sends_text_and_html_as_alternatives() -> None:
    parsed = wire(html="<p>Chào chị Hương</p>")

    assert parsed.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in parsed.iter_parts()] == ["text/plain", "text/html"]


def test_it_refuses_a_subject_that_would_inject_headers() -> None:
    with pytest.raises(PermanentError, match="line break"):
        wire(subject="Nhắc\nBcc: attacker@example.com")
