"""`hygiene send-test`: one bilingual test message through one channel, to check its settings.

The message has no link, says that the service never asks for a password, and for Zalo uses the
template configured as `channels.zalo.template_ids.send_test`. The server's exact answer is printed;
a failure prints the classified reason on stderr and exits with 1.
"""

import asyncio
import uuid
from enum import StrEnum
from typing import Annotated

import typer

from hygiene import i18n
from hygiene.bootstrap import Deps
from hygiene.channels.base import (
    ChannelDown,
    ChannelError,
    OutgoingMessage,
    Result,
    TransientError,
    close_all,
)
from hygiene.cli.common import say, state
from hygiene.errors import HygieneError
from hygiene.inventory import values
from hygiene.settings import Settings

ZALO_TEMPLATE = "send_test"


class ChannelName(StrEnum):
    smtp = "smtp"
    sms = "sms"
    zalo = "zalo"
    file = "file"


def recipient(channel: ChannelName, to: str) -> str:
    """The address in the form the channel takes (E.164 for phones); HygieneError if invalid."""
    try:
        if channel is ChannelName.smtp or (channel is ChannelName.file and "@" in to):
            address = values.email(to)
        else:
            address = values.phone(to)
    except values.FieldError:
        address = None
    if not address:
        raise HygieneError("channel.bad_address", address=to)
    return address


def test_message(settings: Settings, to: str) -> OutgoingMessage:
    def both(key: str) -> str:
        return f"{i18n.t(key, 'vi')}\n\n{i18n.t(key, 'en')}"

    token = uuid.uuid4().hex
    domain = settings.channels.smtp.from_address.rpartition("@")[2] or "localhost"
    return OutgoingMessage(
        idempotency_key=f"send-test:{token}",
        message_id=f"<send-test.{token}@{domain}>",
        to=to,
        subject=i18n.t("send_test.subject", "vi"),
        text=both("send_test.body"),
        zalo_template=ZALO_TEMPLATE,
    )


async def _deliver(deps: Deps, channel: str, message: OutgoingMessage) -> Result:
    channels = deps.open_channels()
    try:
        if channel not in channels:
            raise HygieneError("channel.not_configured", channel=channel)
        return await channels[channel].send(message)
    finally:
        await close_all(channels)


def send_test(
    ctx: typer.Context,
    channel: Annotated[ChannelName, typer.Option("--channel", help="smtp | sms | zalo | file")],
    to: Annotated[
        str, typer.Option("--to", help="Email hoặc số điện thoại / Email address or phone number")
    ],
) -> None:
    """Gửi một tin kiểm tra qua một kênh. / Send one test message through one channel."""
    settings = state(ctx).settings
    message = test_message(settings, recipient(channel, to))
    try:
        result = asyncio.run(_deliver(state(ctx).deps, channel.value, message))
    except ChannelError as exc:
        kind = i18n.t(_kind_key(exc), state(ctx).locale)
        say(ctx, "send_test.failed", err=True, channel=channel.value, kind=kind, reason=exc.reason)
        raise typer.Exit(1) from None
    say(ctx, "send_test.sent", channel=channel.value, detail=result.detail)


def _kind_key(error: ChannelError) -> str:
    if isinstance(error, ChannelDown):
        return "channel.kind_down"
    if isinstance(error, TransientError):
        return "channel.kind_transient"
    return "channel.kind_permanent"


def register(app: typer.Typer) -> None:
    app.command("send-test")(send_test)
