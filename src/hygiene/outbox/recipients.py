"""Who a message goes to: an official, or a console user (a security officer).

Messages to console users (escalations of a unit with no head, incident notifications) are
delivered like any other: the user is presented to routing and rendering as an official-shaped
recipient that is never stored, with their email as the only address and no anti-phishing phrase.
"""

from sqlmodel import Session

from hygiene.inventory.models import Official
from hygiene.outbox.models import Message
from hygiene.users.models import ConsoleUser


def as_recipient(user: ConsoleUser) -> Official:
    """A transient, unsaved Official carrying the user's name, email and language."""
    return Official(
        id=None,
        employee_id="",
        full_name=user.display_name or user.email,
        unit_id=0,
        email=user.email,
        phone=None,
        locale=user.locale,
        preferred_channels="email",
        anti_phishing_phrase=None,
        active=user.active,
        created_at=user.created_at,
        updated_at=user.created_at,
    )


def recipient(session: Session, message: Message) -> Official | None:
    if message.official_id is not None:
        return session.get(Official, message.official_id)
    user = session.get(ConsoleUser, message.user_id) if message.user_id is not None else None
    return as_recipient(user) if user is not None else None
