"""build_deps(settings): the only place where real adapters are built."""

import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine

from hygiene import db, files
from hygiene.audit import service as audit
from hygiene.clock import Clock, SystemClock
from hygiene.errors import ConfigError
from hygiene.settings import Settings


@dataclass
class Deps:
    settings: Settings
    engine: Engine
    clock: Clock
    secret: bytes = field(repr=False)

    @property
    def audit_key(self) -> bytes:
        return audit.audit_key(self.secret)


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


def build_deps(
    settings: Settings, *, clock: Clock | None = None, engine: Engine | None = None
) -> Deps:
    return Deps(
        settings=settings,
        engine=engine or db.make_engine(settings.db_url),
        clock=clock or SystemClock(),
        secret=load_secret(settings),
    )
