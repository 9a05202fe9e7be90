"""configure_logging: text and JSON lines, and secrets redacted wherever they appear."""

import io
import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from hygiene.logs import REDACTED, RedactingFilter, configure_logging
from hygiene.settings import Settings

SMTP_PASSWORD = "smtp-Pa55word-7f3c"
SMS_KEY = "esms-api-key-19ab77"
ZALO_SECRET = "zalo-app-secret-42"
SERVICE_SECRET = "service-secret-value-0123456789"


@pytest.fixture
def stream() -> Iterator[io.StringIO]:
    buffer = io.StringIO()
    yield buffer
    root = logging.getLogger()
    for handler in [h for h in root.handlers if h.get_name() == "hygiene"]:
        root.removeHandler(handler)
        handler.close()


def _settings(tmp_path: Path, **extra: Any) -> Settings:
    return Settings(data_dir=tmp_path, **extra)


def _secret_settings(tmp_path: Path, log_format: str = "json") -> Settings:
    sms_key_file = tmp_path / "sms.key"
    sms_key_file.write_text(SMS_KEY + "\n", "utf-8")
    return _settings(
        tmp_path,
        log_format=log_format,
        secret_key=SERVICE_SECRET,
        channels={
            "smtp": {"host": "mail.example.vn", "password": SMTP_PASSWORD},
            "sms": {"provider": "esms", "api_key_file": str(sms_key_file)},
            "zalo": {"enabled": True, "app_id": "1", "secret_key": ZALO_SECRET},
        },
    )


def test_it_writes_one_json_object_per_line_with_extra_fields(
    tmp_path: Path, stream: io.StringIO
) -> None:
    configure_logging(_settings(tmp_path, log_format="json"), stream=stream)
    logging.getLogger("hygiene.test").warning(
        "sent %d messages", 3, extra={"channel": "smtp", "batch": 7}
    )
    entry = json.loads(stream.getvalue().strip())
    assert entry["level"] == "WARNING"
    assert entry["logger"] == "hygiene.test"
    assert entry["message"] == "sent 3 messages"
    assert (entry["channel"], entry["batch"]) == ("smtp", 7)
    assert entry["time"].endswith("+00:00")


def test_it_puts_the_traceback_in_the_json_line(tmp_path: Path, stream: io.StringIO) -> None:
    configure_logging(_settings(tmp_path, log_format="json"), stream=stream)
    try:
        raise ValueError("Lỗi thử nghiệm")
    except ValueError:
        logging.getLogger("hygiene.test").exception("job failed")
    lines = stream.getvalue().strip().splitlines()
    assert len(lines) == 1
    entry = json.loads(lines[0])
    assert "ValueError: Lỗi thử nghiệm" in entry["exception"]


def test_it_writes_text_lines_for_people(tmp_path: Path, stream: io.StringIO) -> None:
    configure_logging(_settings(tmp_path), stream=stream)
    logging.getLogger("hygiene.test").info("Đã gửi %s tin", 2)
    line = stream.getvalue().strip()
    assert line.endswith("INFO hygiene.test: Đã gửi 2 tin")
    assert line[:4].isdigit()
    assert "Z " in line


def test_it_replaces_its_own_handler_when_called_again(tmp_path: Path, stream: io.StringIO) -> None:
    configure_logging(_settings(tmp_path), stream=stream)
    configure_logging(_settings(tmp_path), stream=stream)
    logging.getLogger("hygiene.test").info("once")
    assert stream.getvalue().count("once") == 1


@pytest.mark.parametrize("log_format", ["json", "text"])
def test_it_redacts_every_configured_secret_in_messages(
    tmp_path: Path, stream: io.StringIO, log_format: str
) -> None:
    configure_logging(_secret_settings(tmp_path, log_format), stream=stream)
    log = logging.getLogger("hygiene.test")
    log.error("smtp login failed with %s", SMTP_PASSWORD)
    log.error(f"sms key {SMS_KEY} rejected; zalo {ZALO_SECRET}")  # noqa: G004
    log.error("secret=%s", SERVICE_SECRET)
    output = stream.getvalue()
    for secret in (SMTP_PASSWORD, SMS_KEY, ZALO_SECRET, SERVICE_SECRET):
        assert secret not in output
    assert output.count(REDACTED) == 4


def test_it_redacts_secrets_in_extra_fields_and_tracebacks(
    tmp_path: Path, stream: io.StringIO
) -> None:
    configure_logging(_secret_settings(tmp_path), stream=stream)
    try:
        raise RuntimeError(f"auth {SMTP_PASSWORD}")
    except RuntimeError:
        logging.getLogger("hygiene.test").exception(
            "send failed", extra={"detail": {"password": SMTP_PASSWORD}, "key": SMS_KEY}
        )
    output = stream.getvalue()
    assert SMTP_PASSWORD not in output
    assert SMS_KEY not in output
    entry = json.loads(output)
    assert REDACTED in entry["exception"]
    assert entry["key"] == REDACTED


def test_it_redacts_the_service_secret_read_from_a_file(
    tmp_path: Path, stream: io.StringIO
) -> None:
    configure_logging(_settings(tmp_path), service_secret=SERVICE_SECRET.encode(), stream=stream)
    logging.getLogger("hygiene.test").warning("key is %s", SERVICE_SECRET)
    assert SERVICE_SECRET not in stream.getvalue()


def test_it_leaves_records_without_secrets_unchanged() -> None:
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "plain %s", ("text",), None)
    assert RedactingFilter(["abc"]).filter(record)  # too short to be redacted
    assert record.getMessage() == "plain text"


def test_it_still_starts_when_a_secret_file_is_unreadable(
    tmp_path: Path, stream: io.StringIO
) -> None:
    settings = _settings(tmp_path, channels={"smtp": {"password_file": str(tmp_path / "no")}})
    configure_logging(settings, stream=stream)
    logging.getLogger("hygiene.test").info("started")
    assert "started" in stream.getvalue()
