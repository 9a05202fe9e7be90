"""What feature packages add to the messages they plan, handed to the outbox from bootstrap.

Incident notices, portal sign-in codes, compliance-log checkpoints and rotate-now reminders
naming an exposure list are planned by packages that import the outbox to plan them, so the
outbox imports none of them: `hygiene.bootstrap.build_readers()` passes their readers in
(`Deps.readers`), and `lookup.load` calls them once per batch, beside its own queries.

A campaign with a context reader is a notice: nothing to acknowledge, so no code is shown, and
its templates see what the reader returned under the campaign's name (`incident.reference`,
`checkpoint.line`); a sign-in message sees it at the top level (`minutes`).
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlmodel import Session

from hygiene.outbox.models import Message
from hygiene.settings import Settings

# account id → (source, reference) of the latest exposure list that named it
AccountReferences = Callable[[Session, list[int]], dict[int, tuple[str, str]]]


class MessageReader(Protocol):
    """What one message of a campaign shows, read for the recipient's locale; LookupError when
    what it is about is gone (the message then fails, not the batch)."""

    def __call__(
        self, session: Session, message: Message, *, settings: Settings, locale: str
    ) -> dict[str, Any]: ...


def no_references(session: Session, account_ids: list[int]) -> dict[int, tuple[str, str]]:
    return {}


@dataclass(frozen=True)
class Readers:
    contexts: Mapping[str, MessageReader] = field(default_factory=dict)  # campaign → reader
    references: AccountReferences = no_references
