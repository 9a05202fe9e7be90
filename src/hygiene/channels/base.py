"""The channel protocol: `async send(message) -> Result`, and how failures are classified.

    ChannelError                  base; `reason` is the provider's exact answer, kept on the row
    ├── TransientError            try again later with backoff (SMTP 4xx, timeouts, disconnects,
    │                             HTTP 429/5xx, provider "busy")
    ├── PermanentError            this message will never go through (SMTP 5xx for the recipient,
    │                             invalid phone): mark it failed with the reason
    └── ChannelDown               the channel itself is broken (auth, TLS, sender refused,
                                  quota exhausted): stop using it and alert the admins; the
                                  message goes back to pending and may fall back to another channel

A channel never sees a password: messages carry none, by construction (see messages/).
"""

from dataclasses import dataclass, field
from typing import Protocol


@dataclass(frozen=True)
class OutgoingMessage:
    """One message to one recipient, fully rendered."""

    idempotency_key: str  # stable across retries and instances; providers dedupe on it
    message_id: str  # RFC 5322 Message-ID for email, derived from the idempotency key
    to: str  # email address, or E.164 phone for sms / zalo
    subject: str
    text: str
    html: str | None = None
    sms_text: str | None = None
    zalo_template: str | None = None  # campaign/stage name mapped to a ZNS template id
    zalo_data: dict[str, str] = field(default_factory=dict)
    locale: str = "vi"


@dataclass(frozen=True)
class Result:
    provider_id: str  # the provider's id for the accepted message (or our Message-ID)
    detail: str = ""  # the provider's exact answer, for the delivery log


class ChannelError(Exception):
    retryable: bool = False

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


class TransientError(ChannelError):
    retryable = True


class PermanentError(ChannelError):
    retryable = False


class ChannelDown(ChannelError):
    """The channel cannot send anything until an admin fixes it; the message is retried."""

    retryable = True


class Channel(Protocol):
    name: str

    async def send(self, message: OutgoingMessage) -> Result:
        """Deliver or raise a ChannelError subclass; never return on failure."""
        ...

    async def close(self) -> None:
        """Release connections (pools, HTTP clients)."""
        ...


async def close_all(channels: dict[str, Channel]) -> None:
    for channel in channels.values():
        await channel.close()
