"""Process-wide logging: text lines for people, or JSON lines for a SIEM (`log_format`).

`configure_logging(settings)` installs one stderr handler on the root logger (idempotent: calling it
again replaces the handler it installed). JSON lines carry `time` (UTC, ISO 8601), `level`,
`logger`, `message`, every `extra=` field, and `exception` when there is one.

Secrets never leave the process through a log line: the handler carries a `RedactingFilter` that
replaces every configured secret (SMTP password, SMS keys, Zalo keys and tokens, the service secret)
with `[REDACTED]` in the message, the extra fields and the traceback. It is a last line of defence:
code must still never log a secret (or an inventory password, which hygiene never holds).
"""

import json
import logging
import sys
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any, TextIO

from pydantic import SecretStr

from hygiene.errors import ConfigError
from hygiene.settings import Settings

REDACTED = "[REDACTED]"
MIN_SECRET_LENGTH = 4  # shorter values would blank out ordinary words
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# Attributes every LogRecord has; anything else on a record came from `extra=`.
_STANDARD = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message",
    "asctime",
    "taskName",
}


class RedactingFilter(logging.Filter):
    """Replaces each secret by REDACTED wherever it occurs in a record; never drops a record."""

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        unique = {s for s in secrets if len(s) >= MIN_SECRET_LENGTH}
        # Longest first, so a secret containing another is replaced whole.
        self.secrets = sorted(unique, key=len, reverse=True)

    def redact(self, text: str) -> str:
        for secret in self.secrets:
            if secret in text:
                text = text.replace(secret, REDACTED)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        if not self.secrets:
            return True
        record.msg, record.args = self.redact(record.getMessage()), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        for name, value in extra_fields(record).items():
            if isinstance(value, str):
                setattr(record, name, self.redact(value))
            elif not isinstance(value, int | float | bool) and value is not None:
                text = str(value)  # a structured value keeps its type unless it leaks a secret
                if self.redact(text) != text:
                    setattr(record, name, self.redact(text))
        return True


def extra_fields(record: logging.LogRecord) -> dict[str, Any]:
    return {k: v for k, v in vars(record).items() if k not in _STANDARD and not k.startswith("_")}


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, extra fields, exception."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name, value in extra_fields(record).items():
            entry.setdefault(name, value)
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = record.stack_info
        return json.dumps(entry, ensure_ascii=False, default=str)


def configured_secrets(settings: Settings) -> list[str]:
    """Every secret the settings name, read from its value or file (unreadable files skipped)."""
    channels = settings.channels
    readers: list[Callable[[], str | None]] = [
        channels.smtp.secret,
        channels.sms.key,
        channels.sms.secret,
        channels.zalo.secret,
        channels.zalo.refresh_secret,
        lambda: _plain(channels.sms.inbound_secret),
        lambda: _plain(channels.zalo.access_token),
        lambda: _plain(settings.secret_key),
    ]
    found: list[str] = []
    for read in readers:
        try:
            value = read()
        except ConfigError:
            continue  # the channel reports its unreadable file itself, when it starts
        if value:
            found.append(value)
    return found


def _plain(value: SecretStr | None) -> str | None:
    return value.get_secret_value() if value is not None else None


# APScheduler's executor writes two INFO lines per job run ("Running job", "executed
# successfully"): every few seconds for the delivery tick. They are demoted to DEBUG.
TICK_LOGGERS = ("apscheduler.executors",)


class TickDemotingFilter(logging.Filter):
    """Scheduler tick lines become DEBUG records, shown only when the level is DEBUG."""

    def __init__(self, level: int) -> None:
        super().__init__()
        self.level = level

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno == logging.INFO and record.name.startswith(TICK_LOGGERS):
            record.levelno, record.levelname = logging.DEBUG, "DEBUG"
            return self.level <= logging.DEBUG
        return True


def configure_logging(
    settings: Settings,
    *,
    service_secret: bytes | None = None,
    stream: TextIO | None = None,
    level: int = logging.INFO,
) -> logging.Handler:
    """Install the handler on the root logger and return it. Pass the service secret (from
    `bootstrap.load_secret`) when it comes from a file, so that it is redacted too."""
    secrets = configured_secrets(settings)
    if service_secret:
        secrets.append(service_secret.decode("utf-8", "replace"))
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.set_name("hygiene")
    handler.addFilter(RedactingFilter(secrets))
    handler.addFilter(TickDemotingFilter(level))
    if settings.log_format == "json":
        handler.setFormatter(JsonFormatter())
    else:
        formatter = logging.Formatter(TEXT_FORMAT)
        formatter.converter = time.gmtime
        formatter.default_time_format = "%Y-%m-%dT%H:%M:%S"
        formatter.default_msec_format = "%s.%03dZ"
        handler.setFormatter(formatter)
    root = logging.getLogger()
    for old in [h for h in root.handlers if h.get_name() == "hygiene"]:
        root.removeHandler(old)
        old.close()
    root.addHandler(handler)
    root.setLevel(level)
    return handler
