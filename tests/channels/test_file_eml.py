"""The file channel's .eml previews decode to exactly the words that were written, with a
strict RFC 2047 decoder (whitespace between encoded words is not text): no "cánbộ"."""

import asyncio
import email
from email import policy
from email.header import decode_header, make_header
from email.message import Message
from pathlib import Path

import pytest

from hygiene.channels.base import OutgoingMessage
from hygiene.channels.file import FileChannel

SUBJECTS = [
    "UBND xã Bình An: 2 cán bộ quá hạn đổi mật khẩu",
    "Quá hạn đổi mật khẩu: 3 tài khoản",
    "Trung tâm Văn hóa, Thể thao và Truyền thông huyện Mường Tè: 12 cán bộ quá hạn đổi mật khẩu",
    "Bản tin cảnh báo an toàn thông tin: 1 cảnh báo mới",
]


@pytest.mark.parametrize("subject", SUBJECTS)
def test_the_eml_subject_decodes_word_for_word(tmp_path: Path, subject: str) -> None:
    channel = FileChannel(tmp_path, from_address="nhac-viec@huyen.example", from_name="Nhắc việc")
    message = OutgoingMessage(
        idempotency_key="rotation:1:2026-03-02:overdue",
        message_id="<abc@huyen.example>",
        to="can.bo@huyen.example",
        subject=subject,
        text="Kính gửi đồng chí Nguyễn Thị Hương,\n\nCác tài khoản sau cần đổi mật khẩu.\n",
        html="<p>Kính gửi đồng chí Nguyễn Thị Hương,</p>",
    )
    asyncio.run(channel.send(message))
    raw = (tmp_path / "rotation_1_2026-03-02_overdue.eml").read_bytes()
    parsed = email.message_from_bytes(raw, policy=policy.compat32)
    assert str(make_header(decode_header(parsed["Subject"]))) == subject
    assert raw.isascii()  # 7-bit safe, like what the SMTP channel sends
    first = parsed.get_payload(0)
    assert isinstance(first, Message)
    payload = first.get_payload(decode=True)
    assert isinstance(payload, bytes)
    plain = payload.decode("utf-8")
    assert "Kính gửi đồng chí Nguyễn Thị Hương," in plain
