"""build_channels(settings): the delivery channels the configuration enables, by name.

    file  always: <data_dir>/outbox (or channels.file.directory), the first-run fallback
    smtp  when channels.smtp.host is set
    sms   when channels.sms.provider is not "none" (esms, speedsms or webhook)
    zalo  when channels.zalo.enabled; given the database, its OAuth tokens live in a locked,
          sealed row shared by every instance (token_store.py), else in this process only

Building opens no connection; secrets are read now, so an unreadable secret file is a ConfigError
at start-up rather than a failure at the first send. The caller closes every channel.
"""

from sqlalchemy import Engine

from hygiene.channels.base import Channel
from hygiene.channels.file import FileChannel
from hygiene.channels.sms import build_sms_channel
from hygiene.channels.smtp import SmtpChannel
from hygiene.channels.token_store import DatabaseTokenStore
from hygiene.channels.zalo import ZaloChannel, initial_tokens
from hygiene.settings import Settings

CHANNEL_NAMES = ("smtp", "sms", "zalo", "file")


def build_channels(
    settings: Settings, *, engine: Engine | None = None, secret: bytes | None = None
) -> dict[str, Channel]:
    """The enabled channels, the file channel first."""
    config = settings.channels
    directory = config.file.directory or settings.data_dir / "outbox"
    channels: dict[str, Channel] = {
        "file": FileChannel(directory, from_address=config.smtp.from_address)
    }
    if config.smtp.host:
        channels["smtp"] = SmtpChannel(config.smtp)
    sms = build_sms_channel(config.sms)
    if sms is not None:
        channels["sms"] = sms
    if config.zalo.enabled:
        store = None
        if engine is not None and secret is not None:
            initial = initial_tokens(config.zalo)
            store = DatabaseTokenStore(engine, channel="zalo", secret=secret, initial=initial)
        channels["zalo"] = ZaloChannel(config.zalo, store=store)
    return channels


async def close_all(channels: dict[str, Channel]) -> None:
    for channel in channels.values():
        await channel.close()
