"""build_channels(deps): the delivery channels the configuration enables, by name.

    file  always: <data_dir>/outbox (or channels.file.directory), the first-run fallback
    smtp  when channels.smtp.host is set
    sms   when channels.sms.provider is not "none" (esms, speedsms or webhook)
    zalo  when channels.zalo.enabled; its OAuth tokens live in a locked, sealed database row
          shared by every instance and every command (token_store.py)

Building opens no connection; secrets are read now, so an unreadable secret file is a ConfigError
at start-up rather than a failure at the first send. The caller closes every channel.
"""

from hygiene.bootstrap import Deps
from hygiene.channels.base import Channel
from hygiene.channels.file import FileChannel
from hygiene.channels.sms import build_sms_channel
from hygiene.channels.smtp import SmtpChannel
from hygiene.channels.token_store import DatabaseTokenStore
from hygiene.channels.zalo import ZaloChannel, initial_tokens

CHANNEL_NAMES = ("smtp", "sms", "zalo", "file")


def build_channels(deps: Deps) -> dict[str, Channel]:
    """The enabled channels, the file channel first."""
    settings = deps.settings
    config = settings.channels
    directory = config.file.directory or settings.data_dir / "outbox"
    channels: dict[str, Channel] = {
        "file": FileChannel(
            directory, from_address=config.smtp.from_address, from_name=config.smtp.from_name
        )
    }
    if config.smtp.host:
        channels["smtp"] = SmtpChannel(config.smtp)
    sms = build_sms_channel(config.sms)
    if sms is not None:
        channels["sms"] = sms
    if config.zalo.enabled:
        initial = initial_tokens(config.zalo)
        store = DatabaseTokenStore(deps.engine, channel="zalo", secret=deps.secret, initial=initial)
        channels["zalo"] = ZaloChannel(config.zalo, store=store)
    return channels


async def close_all(channels: dict[str, Channel]) -> None:
    for channel in channels.values():
        await channel.close()
