"""build_channels(settings): the delivery channels the configuration enables, by name.

    file  always: <data_dir>/outbox (or channels.file.directory), the first-run fallback
    smtp  when channels.smtp.host is set
    sms   when channels.sms.provider is not "none" (esms, speedsms or webhook)
    zalo  when channels.zalo.enabled

Building opens no connection; secrets are read now, so an unreadable secret file is a ConfigError
at start-up rather than a failure at the first send. The caller closes every channel.
"""

from hygiene.channels.base import Channel
from hygiene.channels.file import FileChannel
from hygiene.channels.sms import build_sms_channel
from hygiene.channels.smtp import SmtpChannel
from hygiene.channels.zalo import ZaloChannel
from hygiene.settings import Settings

CHANNEL_NAMES = ("smtp", "sms", "zalo", "file")


def build_channels(settings: Settings) -> dict[str, Channel]:
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
        channels["zalo"] = ZaloChannel(config.zalo)
    return channels


async def close_all(channels: dict[str, Channel]) -> None:
    for channel in channels.values():
        await channel.close()
