"""A channel that keeps what it was asked to send, for tests. It can be told to fail."""

from collections import deque

from hygiene.channels.base import ChannelError, OutgoingMessage, Result


class MemoryChannel:
    def __init__(self, name: str = "memory") -> None:
        self.name = name
        self.sent: list[OutgoingMessage] = []
        self.failures: deque[ChannelError] = deque()

    def fail_next(self, *errors: ChannelError) -> None:
        """The next len(errors) sends raise these errors, in order."""
        self.failures.extend(errors)

    async def send(self, message: OutgoingMessage) -> Result:
        if self.failures:
            raise self.failures.popleft()
        self.sent.append(message)
        return Result(provider_id=message.message_id, detail="stored in memory")

    async def close(self) -> None:
        return None
