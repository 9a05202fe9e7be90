"""build_deps(settings): the only place where real adapters are built.

Deps carries what the entry points (web, CLI, scheduler) need: settings, the database engine, the
clock, the service secret, the delivery channels (a factory: each caller gets its own channels and
closes them), the message renderer, the readers of what feature packages' messages show
(build_readers: the outbox imports none of those packages, they plan into it) and the delivery
loop's wake-up. Tests pass fakes through
build_deps (a FixedClock, a factory of memory channels), never through hooks on the app.

The channels the configuration enables (build_channels):
    file  always: <data_dir>/outbox (or channels.file.directory), the first-run fallback
    smtp  when channels.smtp.host is set
    sms   when channels.sms.provider is not "none" (esms, speedsms or webhook)
    zalo  when channels.zalo.enabled; its OAuth tokens live in a locked, sealed database row
          shared by every instance and every command (channels/token_store.py)
Building opens no connection; secrets are read now, so an unreadable secret file is a ConfigError
at start-up rather than a failure at the first send.
"""

import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session

from hygiene import db, files
from hygiene.audit import checkpoints
from hygiene.audit import service as audit
from hygiene.channels.base import Channel
from hygiene.channels.file import FileChannel
from hygiene.channels.sms import build_sms_channel
from hygiene.channels.smtp import SmtpChannel
from hygiene.channels.token_store import DatabaseTokenStore
from hygiene.channels.zalo import ZaloChannel, initial_tokens
from hygiene.clock import Clock, SystemClock
from hygiene.errors import ConfigError
from hygiene.exposures import queries as exposures
from hygiene.incidents import notify
from hygiene.messages.render import Renderer
from hygiene.outbox.lookup import ids
from hygiene.outbox.models import Message
from hygiene.outbox.readers import Readers
from hygiene.outbox.wakeup import Wakeup
from hygiene.portal import signin
from hygiene.settings import Settings

CHANNEL_NAMES = ("smtp", "sms", "zalo", "file")
ChannelFactory = Callable[[], dict[str, Channel]]


@dataclass
class Deps:
    settings: Settings
    engine: Engine
    clock: Clock
    secret: bytes = field(repr=False)
    channels: ChannelFactory = field(repr=False)
    renderer: Renderer
    readers: Readers = field(repr=False)
    wakeup: Wakeup = field(repr=False)

    @property
    def audit_key(self) -> bytes:
        return audit.audit_key(self.secret)

    def open_channels(self) -> dict[str, Channel]:
        """New channels, the file channel first; the caller closes them (close_all)."""
        return self.channels()

    def wake_delivery(self) -> None:
        """After committing an urgent message: this process's delivery loop runs at once."""
        self.wakeup()


def load_secret(settings: Settings) -> bytes:
    """The service secret: from settings, a file, or <data_dir>/secret.key made on first use.

    Several instances on one PostgreSQL must share it (HYGIENE_SECRET_KEY_FILE), because the audit
    chain and acknowledgement codes are keyed with it.
    """
    if settings.secret_key is not None:
        return settings.secret_key.get_secret_value().encode("utf-8")
    path = settings.secret_key_file or settings.data_dir / "secret.key"
    if not path.exists() and settings.secret_key_file is None:
        _create_secret_file(path)
    try:
        value = path.read_text("utf-8").strip()
    except OSError as exc:
        raise ConfigError("config.secret_file", path=str(path), reason=exc.strerror) from exc
    if len(value) < 16:
        raise ConfigError("config.secret_short", path=str(path))
    return value.encode("utf-8")


def _create_secret_file(path: Path) -> None:
    files.private_dir(path.parent)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return  # another process made it first
    with os.fdopen(fd, "w") as handle:
        handle.write(secrets.token_urlsafe(48) + "\n")


def build_channels(settings: Settings, engine: Engine, secret: bytes) -> dict[str, Channel]:
    """The enabled channels, the file channel first."""
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
        store = DatabaseTokenStore(engine, channel="zalo", secret=secret, initial=initial)
        channels["zalo"] = ZaloChannel(config.zalo, store=store)
    return channels


def build_deps(
    settings: Settings,
    *,
    clock: Clock | None = None,
    engine: Engine | None = None,
    channels: ChannelFactory | None = None,
) -> Deps:
    """The real adapters; `clock`, `engine` and `channels` replace them (tests)."""
    engine = engine or db.make_engine(settings.db_url)
    secret = load_secret(settings)
    return Deps(
        settings=settings,
        engine=engine,
        clock=clock or SystemClock(),
        secret=secret,
        channels=channels or partial(build_channels, settings, engine, secret),
        renderer=Renderer(templates_dir=settings.messages.templates_dir),
        readers=build_readers(),
        wakeup=Wakeup(),
    )


def _incident(session: Session, message: Message, *, settings: Settings, locale: str) -> Any:
    incident = ids(message.payload)[0]
    return notify.context(session, incident_id=incident, zone=settings.zone, locale=locale)


def _sign_in(session: Session, message: Message, *, settings: Settings, locale: str) -> Any:
    return {"minutes": int(signin.CODE_TTL.total_seconds() // 60)}


def _checkpoint(session: Session, message: Message, *, settings: Settings, locale: str) -> Any:
    return checkpoints.message_context(message.payload, settings=settings)


def build_readers() -> Readers:
    """What the outbox renders from for messages that feature packages plan."""
    return Readers(
        contexts={
            notify.CAMPAIGN: _incident,
            signin.CAMPAIGN: _sign_in,
            checkpoints.CAMPAIGN: _checkpoint,
        },
        references=exposures.references,
    )
