"""The first-run channel: each message becomes a file under <data_dir>/outbox/.

An .eml for email (open it in any mail client), byte for byte what the SMTP channel would send
(channels.email_message: RFC 2047 subject, quoted-printable UTF-8 bodies), and a .txt with the
SMS text. Writing is atomic (temporary file, then rename), mode 0600 in a 0700 folder, and named
by the idempotency key, so a resend overwrites the same file instead of making a duplicate.
"""

import asyncio
import re
from pathlib import Path

from hygiene import files
from hygiene.channels.base import OutgoingMessage, Result, TransientError
from hygiene.channels.email_message import to_wire

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def safe_name(key: str) -> str:
    return _UNSAFE.sub("_", key)[:180]


class FileChannel:
    def __init__(
        self, directory: Path, *, from_address: str, from_name: str = "", name: str = "file"
    ) -> None:
        self.name = name
        self.directory = directory
        self.from_address, self.from_name = from_address, from_name

    def _write(self, message: OutgoingMessage) -> Path:
        files.private_dir(self.directory)
        base = self.directory / safe_name(message.idempotency_key)
        if "@" in message.to:
            payload = to_wire(message, from_address=self.from_address, from_name=self.from_name)
            target = base.with_suffix(".eml")
        else:
            body = f"To: {message.to}\n\n{message.sms_text or message.text}\n"
            target, payload = base.with_suffix(".txt"), body.encode("utf-8")
        files.write_private(target, payload)
        return target

    async def send(self, message: OutgoingMessage) -> Result:
        try:
            path = await asyncio.to_thread(self._write, message)
        except OSError as exc:
            raise TransientError(f"cannot write {self.directory}: {exc.strerror}") from exc
        return Result(provider_id=message.message_id, detail=str(path))

    async def close(self) -> None:
        return None
