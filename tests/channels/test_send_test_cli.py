"""`hygiene send-test`: one bilingual test message, the server's answer, exit 1 on failure."""

from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from tests.channels.conftest import HttpServer, SmtpServer


def test_it_writes_a_test_email_with_the_file_channel(run_cli: Any, tmp_path: Path) -> None:
    result = run_cli("send-test", "--channel", "file", "--to", "it@xa.example")

    assert result.exit_code == 0, result.stderr
    [eml] = (tmp_path / "var" / "outbox").glob("*.eml")
    assert str(eml) in result.stdout


def test_it_sends_no_link_and_says_passwords_are_never_asked(run_cli: Any, tmp_path: Path) -> None:
    run_cli("send-test", "--channel", "file", "--to", "it@xa.example")

    [eml] = (tmp_path / "var" / "outbox").glob("*.eml")
    parsed = message_from_bytes(eml.read_bytes(), policy=policy.default)
    assert isinstance(parsed, EmailMessage)
    body = parsed.get_content()
    assert "http" not in body
    assert "www" not in body
    assert "không bao giờ hỏi mật khẩu" in body
    assert "never asks for your password" in body


def test_it_prints_the_smtp_server_answer(run_cli: Any, smtp_server: SmtpServer) -> None:
    smtp_server.start()
    env = {
        "HYGIENE_CHANNELS__SMTP__HOST": "127.0.0.1",
        "HYGIENE_CHANNELS__SMTP__PORT": str(smtp_server.port),
        "HYGIENE_CHANNELS__SMTP__SECURITY": "none",
    }

    result = run_cli("send-test", "--channel", "smtp", "--to", "it@xa.example", env=env)

    assert result.exit_code == 0, result.stderr
    assert "250 2.0.0 Ok: queued as Q" in result.stdout
    assert len(smtp_server.messages()) == 1


def test_it_exits_1_when_the_channel_is_not_configured(run_cli: Any) -> None:
    result = run_cli("send-test", "--channel", "smtp", "--to", "it@xa.example")

    assert result.exit_code == 1
    assert "[channels.smtp]" in result.stderr


def test_it_exits_1_with_the_reason_when_sending_fails(
    run_cli: Any, http_server: HttpServer
) -> None:
    http_server.answer(401, {"error": "bad signature"})
    env = {
        "HYGIENE_CHANNELS__SMS__PROVIDER": "webhook",
        "HYGIENE_CHANNELS__SMS__BASE_URL": http_server.url,
        "HYGIENE_CHANNELS__SMS__SECRET_KEY": "hook-secret",
    }

    result = run_cli("send-test", "--channel", "sms", "--to", "0912 345 678", env=env)

    assert result.exit_code == 1
    assert "bad signature" in result.stderr
    assert http_server.requests[0].json()["to"] == "+84912345678"


def test_it_exits_1_for_an_address_the_channel_cannot_use(run_cli: Any) -> None:
    result = run_cli("send-test", "--channel", "sms", "--to", "it@xa.example")

    assert result.exit_code == 1
    assert "it@xa.example" in result.stderr
