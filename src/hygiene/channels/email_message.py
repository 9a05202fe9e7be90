"""The MIME message the SMTP channel sends: one recipient, no attachments, 7-bit safe.

Headers with Vietnamese text are RFC 2047 encoded words; bodies are UTF-8 in quoted-printable, so
the message passes relays without 8BITMIME and every client shows the same characters. With html,
the body is multipart/alternative (text first, the fallback). `Auto-Submitted: auto-generated`
(RFC 3834) keeps vacation responders from answering.

Built with the compat32 email API on purpose: the modern `EmailMessage` folds encoded headers in
about 10 ms per message here, which alone capped delivery near 100 messages/s (bench/deliver.py);
this builder takes about 0.5 ms. Its address and header checks are therefore done here.
"""

import re
from email import policy
from email.charset import QP, Charset
from email.header import Header
from email.message import Message
from email.utils import formataddr, formatdate

from hygiene.channels.base import OutgoingMessage, PermanentError
from hygiene.channels.common import bilingual

# An ASCII addr-spec (no SMTPUTF8): dot-atom local part, a domain with at least one dot.
_ADDRESS = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")
_WIRE = policy.compat32.clone(linesep="\r\n")


def _utf8_qp() -> Charset:
    charset = Charset("utf-8")
    charset.body_encoding = QP
    return charset


def _text_part(text: str, subtype: str) -> Message:
    part = Message()
    part.set_payload(text, _utf8_qp())  # sets Content-Type charset and the QP encoding
    part.set_type(f"text/{subtype}")
    return part


def build_email(message: OutgoingMessage, *, from_address: str, from_name: str) -> Message:
    """The message with its deterministic Message-ID; PermanentError for a recipient address it
    cannot send to, or a subject with a line break (which would inject headers)."""
    if not _ADDRESS.match(message.to):
        raise PermanentError(bilingual("channel.bad_address", address=message.to))
    if "\r" in message.subject or "\n" in message.subject:
        raise PermanentError(bilingual("channel.bad_subject"))
    plain = _text_part(message.text, "plain")  # encoded once, whether alone or in the multipart
    email = plain
    if message.html:
        email = Message()
        email["MIME-Version"] = "1.0"
        email["Content-Type"] = "multipart/alternative"
        email.attach(plain)
        email.attach(_text_part(message.html, "html"))
    email["From"] = formataddr((from_name, from_address), charset="utf-8")
    email["To"] = message.to
    email["Subject"] = Header(message.subject, "utf-8", header_name="Subject").encode()
    email["Date"] = formatdate(usegmt=True)
    email["Message-ID"] = message.message_id
    email["Auto-Submitted"] = "auto-generated"
    return email


def to_bytes(email: Message) -> bytes:
    """CRLF line ends and encoded headers, as sent on the wire."""
    return email.as_bytes(policy=_WIRE)
