"""Channel secrets never reach a log line: SMTP, SMS and Zalo are configured with distinct secrets
(through the environment, as in production), every channel fails against a loopback server that
even echoes the request back, and the records are read raw (caplog, before any redaction) and as
the production handler writes them, in text and JSON formats."""

import io
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from hygiene import logs
from hygiene.settings import Settings
from tests.channels.conftest import SmtpServer
from tests.reliability.security_helpers import (
    HostileProvider,
    channel_env,
    fail_every_channel,
    self_signed,
    write_inventory,
)

SECRETS = {
    "password": "smtp-Mật-khẩu-4f1c9e",
    "sms_key": "esms-api-key-7d2b0a",
    "sms_secret": "esms-secret-9c3e1f",
    "zalo_secret": "zalo-app-secret-5a8d2c",
    "zalo_refresh": "zalo-refresh-token-1e6b7f",
}


@pytest.fixture(params=["text", "json"])
def handler_output(request: pytest.FixtureRequest, settings: Settings) -> Iterator[io.StringIO]:
    """The production handler at DEBUG, configured WITHOUT the channel secrets, so that it shows
    what the code logs rather than what the redacting filter catches."""
    stream = io.StringIO()
    root = logging.getLogger()
    level = root.level
    handler = logs.configure_logging(
        settings.model_copy(update={"log_format": request.param}),
        stream=stream,
        level=logging.DEBUG,
    )
    yield stream
    root.removeHandler(handler)
    handler.close()
    root.setLevel(level)


def test_no_channel_secret_is_logged_when_every_channel_fails(
    run_cli: Any,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    handler_output: io.StringIO,
) -> None:
    caplog.set_level(logging.DEBUG)
    assert run_cli("import", str(write_inventory(tmp_path / "inventory.csv"))).exit_code == 0
    cert, key = self_signed(tmp_path)
    smtp = SmtpServer(tmp_path / "smtp")
    try:
        smtp.start("--tls-cert", str(cert), "--tls-key", str(key), "--auth", "hyg:other")
        with HostileProvider() as provider:
            env = channel_env(smtp_port=smtp.port, ca=cert, provider=provider.url, **SECRETS)
            printed = fail_every_channel(run_cli, env)
    finally:
        smtp.stop()

    everything = "\n".join([caplog.text, handler_output.getvalue(), *printed])
    # the failures were really logged (one line per channel that sent nothing in its batch)
    assert "Channel smtp sent nothing in the batch" in caplog.text
    assert "Last error: 535" in caplog.text
    assert "Channel sms sent nothing in the batch" in caplog.text
    assert "Zalo" in "\n".join(printed)
    assert {name for name, secret in SECRETS.items() if secret in everything} == set()


def test_the_redacting_filter_hides_every_configured_secret(settings: Settings) -> None:
    configured = settings.model_copy(
        update={
            "channels": settings.channels.model_validate(
                {
                    "smtp": {"host": "127.0.0.1", "password": SECRETS["password"]},
                    "sms": {"api_key": SECRETS["sms_key"], "secret_key": SECRETS["sms_secret"]},
                    "zalo": {
                        "secret_key": SECRETS["zalo_secret"],
                        "refresh_token": SECRETS["zalo_refresh"],
                    },
                }
            )
        }
    )
    level = logging.getLogger().level
    for fmt in ("text", "json"):
        stream = io.StringIO()
        handler = logs.configure_logging(
            configured.model_copy(update={"log_format": fmt}), stream=stream
        )
        try:
            logging.getLogger("hygiene.test").warning(
                "careless: %s", " ".join(SECRETS.values()), extra={"body": SECRETS["sms_key"]}
            )
        finally:
            logging.getLogger().removeHandler(handler)
            logging.getLogger().setLevel(level)
            handler.close()
        assert "[REDACTED]" in stream.getvalue()
        assert [s for s in SECRETS.values() if s in stream.getvalue()] == []
