"""The MIME message the SMTP channel builds."""

import random
from email import message_from_bytes, policy
from email.charset import QP, Charset
from email.header import Header
from email.message import EmailMessage, Message
from email.utils import formataddr
from typing import Any

import pytest

from hygiene.channels.base import OutgoingMessage, PermanentError
from hygiene.channels.email_message import to_wire
from tests.channels.conftest import outgoing

FROM_NAME = "Nhắc việc an toàn thông tin"


def wire(**changes: Any) -> EmailMessage:
    return parse(to_wire(outgoing(**changes), from_address="nv@ubnd.example", from_name=FROM_NAME))


def parse(raw: bytes) -> EmailMessage:
    parsed = message_from_bytes(raw, policy=policy.default)
    assert isinstance(parsed, EmailMessage)
    return parsed


def test_it_sends_only_ascii_on_the_wire() -> None:
    to_wire(outgoing(), from_address="nv@ubnd.example", from_name=FROM_NAME).decode("ascii")


def test_it_ends_every_line_with_crlf() -> None:
    raw = to_wire(outgoing(html="<p>a</p>\n<p>b</p>"), from_address="a@b.example", from_name="")

    assert raw.count(b"\n") == raw.count(b"\r\n") > 10


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


# The builder before it was assembled directly (compat32, about 0.5 ms a message): what the
# stdlib parser reads from both must be the same, header by header and part by part.
def _compat32(message: OutgoingMessage, *, from_address: str, from_name: str) -> bytes:
    def part(text: str, subtype: str) -> Message:
        charset = Charset("utf-8")
        charset.body_encoding = QP
        built = Message()
        built.set_payload(text, charset)
        built.set_type(f"text/{subtype}")
        return built

    email = part(message.text, "plain")
    if message.html:
        email = Message()
        email["MIME-Version"] = "1.0"
        email["Content-Type"] = "multipart/alternative"
        email.attach(part(message.text, "plain"))
        email.attach(part(message.html, "html"))
    email["From"] = formataddr((from_name, from_address), charset="utf-8")
    email["To"] = message.to
    email["Subject"] = Header(message.subject, "utf-8", header_name="Subject").encode()
    email["Message-ID"] = message.message_id
    return email.as_bytes(policy=policy.compat32.clone(linesep="\r\n"))


def _read(raw: bytes) -> list[object]:
    parsed = parse(raw)
    parts = list(parsed.iter_parts()) if parsed.is_multipart() else [parsed]
    return [
        str(parsed["From"]),
        parsed["From"].addresses,
        str(parsed["Subject"]),
        str(parsed["Message-ID"]),
        str(parsed["To"]),
        parsed.get_content_type(),
        [(p.get_content_type(), p.get_content_charset(), p.get_content()) for p in parts],
    ]


_PIECES = [
    *("Chào", "chị", "Nguyễn", "Thị", "Hương,", "mật", "khẩu", "«Email", "công", "vụ»", "đổi"),
    *("16/03/2026.", "=", "=3D", "=?utf-8?q?x?=", "--", "==", ".", "From", "a" * 90, "ữ" * 40),
    *("<p>", "</p>", "<b>", "&amp;", "tab\there", "x;y", "\u00a0", "😀", "\\", '"q"', "(l***):"),
]
_GAPS = [" ", " ", " ", "\n", "\n\n", "  ", " \n", "\t\n", ""]


def _random_text(rng: random.Random, words: int) -> str:
    return "".join(rng.choice(_PIECES) + rng.choice(_GAPS) for _ in range(words))


def test_it_reads_back_as_the_compat32_message_did() -> None:
    rng = random.Random(5)  # noqa: S311  (reproducible test messages, not secrets)
    for _ in range(400):
        name = rng.choice(["", "IT", FROM_NAME, "Phòng " * 12, 'Tổ "CNTT"', "a=?b?=c"])
        message = outgoing(
            subject=_random_text(rng, rng.randint(0, 14)).replace("\n", " ").replace("\t", " "),
            text=_random_text(rng, rng.randint(0, 80)),
            html=rng.choice([None, "", _random_text(rng, rng.randint(1, 80))]),
        )
        sent = to_wire(message, from_address="nv@ubnd.example", from_name=name)
        before = _compat32(message, from_address="nv@ubnd.example", from_name=name)

        assert _read(sent) == _read(before), message
        sent.decode("ascii")
        assert max(len(line) for line in sent.split(b"\r\n")[1:]) <= 78  # From: one word


@pytest.mark.parametrize("end", ["\r\n", "\r", "\n"])
def test_every_line_end_of_a_body_is_sent_as_crlf(end: str) -> None:
    parsed = wire(text=f"một{end}hai{end}")

    assert parsed.get_content().splitlines() == ["một", "hai"]
