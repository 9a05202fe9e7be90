"""Which channels may carry a message to an official, in order.

The official's preferred channels come first, in their order, when the channel is configured
and the official has an address for it. First-run safety: when none of them is configured, the
message goes to the file channel (var/outbox/) instead of nowhere. SMS goes to mobile numbers
only: a landline (flagged with a warning at import) is skipped for the next channel. Redirect
mode sends every message to `delivery.redirect_to` (a trial: nobody real is disturbed).
"""

from collections.abc import Collection
from dataclasses import dataclass

from hygiene.inventory import values
from hygiene.inventory.models import Official

FILE = "file"
EMAIL_CHANNELS = ("email", "smtp")
PHONE_CHANNELS = ("sms", "zalo")
# An official prefers "email"; the registry names its email channel "smtp".
ALIASES = {"email": ("email", "smtp")}


@dataclass(frozen=True)
class Route:
    channel: str
    to: str


def _address(channel: str, email: str | None, phone: str | None) -> str | None:
    if channel == "sms":
        return phone if phone and values.is_mobile(phone) else None  # a landline gets no SMS
    if channel in PHONE_CHANNELS:
        return phone
    if channel in EMAIL_CHANNELS:
        return email
    return email or phone  # file and other catch-all channels


def routes(
    official: Official,
    configured: Collection[str],
    *,
    redirect_to: str | None = None,
) -> list[Route]:
    email, phone = official.email, official.phone
    if redirect_to:
        email, phone = (redirect_to, None) if "@" in redirect_to else (None, redirect_to)
    preferred = [c.strip() for c in official.preferred_channels.split(",") if c.strip()]
    chosen = []
    for wanted in preferred:
        for name in ALIASES.get(wanted, (wanted,)):
            address = _address(name, email, phone)
            if name in configured and address:
                chosen.append(Route(name, address))
                break
    real = {name for wanted in preferred for name in ALIASES.get(wanted, (wanted,))}
    if not real & set(configured) and FILE in configured:
        address = _address(FILE, email, phone)
        if address:
            chosen.append(Route(FILE, address))
    return chosen
