"""SmtpChannel against a real aiosmtpd server on loopback, run in a subprocess."""

import asyncio
import contextlib
import os
import socket
from pathlib import Path
from typing import Any

import pytest

from hygiene.channels.base import (
    ChannelDown,
    OutgoingMessage,
    PermanentError,
    Result,
    TransientError,
)
from hygiene.channels.smtp import SmtpChannel
from hygiene.settings import Smtp
from tests.channels.conftest import SmtpServer, TlsFiles, free_port, outgoing

PASSWORD = "correct horse battery staple"


def config(port: int, **changes: Any) -> Smtp:
    values: dict[str, Any] = {
        "host": "127.0.0.1",
        "port": port,
        "security": "none",
        "from_address": "nhacviec@ubnd.example",
        "timeout": 5,
    }
    return Smtp(**{**values, **changes})


def send(settings: Smtp, *messages: OutgoingMessage) -> list[Result]:
    """Send in order over one channel (one pool), closing it afterwards."""

    async def run() -> list[Result]:
        channel = SmtpChannel(settings)
        try:
            return [await channel.send(m) for m in messages]
        finally:
            await channel.close()

    return asyncio.run(run())


def starttls_with_auth(smtp_server: SmtpServer, tls_files: TlsFiles, accepts: str) -> Smtp:
    """Start the server with STARTTLS and AUTH accepting `accepts` for user hyg; the channel's
    settings log in as hyg with PASSWORD."""
    tls = ("--tls-cert", str(tls_files.cert), "--tls-key", str(tls_files.key))
    smtp_server.start(*tls, "--auth", f"hyg:{accepts}")
    return config(
        smtp_server.port,
        security="starttls",
        username="hyg",
        password=PASSWORD,
        ca_bundle=tls_files.cert,
    )


def test_it_delivers_over_plain_smtp(smtp_server: SmtpServer) -> None:
    smtp_server.start()

    [result] = send(config(smtp_server.port), outgoing())

    assert [m["To"] for m in smtp_server.messages()] == ["huong.nt@xa.example"]
    assert result.detail.startswith("250 2.0.0 Ok: queued as Q")


def test_it_delivers_over_starttls_with_auth(smtp_server: SmtpServer, tls_files: TlsFiles) -> None:
    settings = starttls_with_auth(smtp_server, tls_files, accepts=PASSWORD)

    send(settings, outgoing())

    assert len(smtp_server.messages()) == 1


def test_it_delivers_over_implicit_tls(smtp_server: SmtpServer, tls_files: TlsFiles) -> None:
    smtp_server.start(
        "--tls-cert", str(tls_files.cert), "--tls-key", str(tls_files.key), "--implicit-tls"
    )

    send(config(smtp_server.port, security="tls", ca_bundle=tls_files.cert), outgoing())

    assert len(smtp_server.messages()) == 1


def test_it_refuses_plaintext_when_the_server_offers_no_starttls(smtp_server: SmtpServer) -> None:
    smtp_server.start()

    with pytest.raises(ChannelDown, match="STARTTLS"):
        send(config(smtp_server.port, security="starttls"), outgoing())
    assert smtp_server.messages() == []


def test_it_refuses_a_certificate_it_does_not_trust(
    smtp_server: SmtpServer, tls_files: TlsFiles
) -> None:
    smtp_server.start("--tls-cert", str(tls_files.cert), "--tls-key", str(tls_files.key))

    with pytest.raises(ChannelDown, match="TLS"):
        send(config(smtp_server.port, security="starttls"), outgoing())


def test_it_keeps_the_password_out_of_a_failed_login(
    smtp_server: SmtpServer, tls_files: TlsFiles
) -> None:
    settings = starttls_with_auth(smtp_server, tls_files, accepts="other")

    with pytest.raises(ChannelDown) as caught:
        send(settings, outgoing())

    assert caught.value.reason.startswith("535")
    assert PASSWORD not in f"{caught.value!s} {caught.value!r} {caught.value.reason}"


def sockets_to(port: int) -> list[str]:
    """This process's TCP sockets to 127.0.0.1:`port` that are still open, with their state
    (Linux /proc: the file descriptors' inodes matched against /proc/self/net/tcp)."""
    fds = Path("/proc/self/fd")
    inodes = set()
    for fd in fds.iterdir():
        with contextlib.suppress(OSError):  # the listing's own descriptor is gone by now
            target = os.readlink(fd)
            if target.startswith("socket:["):
                inodes.add(target[8:-1])
    states = []
    for line in Path("/proc/self/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if fields[2] == f"0100007F:{port:04X}" and fields[9] in inodes:
            states.append(fields[3])
    return states


@pytest.mark.parametrize("login", ["accepted", "refused"])
def test_it_leaves_no_socket_open_once_closed(
    smtp_server: SmtpServer, tls_files: TlsFiles, login: str
) -> None:
    # aiosmtplib closes a TLS connection by sending close_notify and closes the socket only
    # when the server's reply arrives, which a loop that stops first never sees: the socket
    # then stays open until the garbage collector finds it (a ResourceWarning in a later test).
    accepts = PASSWORD if login == "accepted" else "other"
    settings = starttls_with_auth(smtp_server, tls_files, accepts=accepts)

    async def run() -> tuple[list[str], list[str]]:
        channel = SmtpChannel(settings)
        with contextlib.suppress(ChannelDown):
            await channel.send(outgoing())
        during = sockets_to(smtp_server.port)
        await channel.close()
        return during, sockets_to(smtp_server.port)

    during, after = asyncio.run(run())

    assert (len(during), after) == (1, [])  # open before close(), closed once it returns


def test_it_reports_greylisting_as_transient_and_delivers_on_the_next_attempt(
    smtp_server: SmtpServer,
) -> None:
    smtp_server.start("--greylist")
    settings = config(smtp_server.port)

    with pytest.raises(TransientError, match=r"^450 4\.2\.0 Greylisted"):
        send(settings, outgoing())
    send(settings, outgoing())

    assert len(smtp_server.messages()) == 1


def test_it_fails_permanently_for_a_refused_recipient_with_the_server_answer(
    smtp_server: SmtpServer,
) -> None:
    smtp_server.start("--reject", "nobody@xa.example")

    with pytest.raises(PermanentError) as caught:
        send(config(smtp_server.port), outgoing(to="nobody@xa.example"))

    assert caught.value.reason.startswith("550 5.1.1 <nobody@xa.example>: Recipient address")


def test_it_stops_the_channel_when_the_sender_is_refused(smtp_server: SmtpServer) -> None:
    smtp_server.start("--reject-sender", "nhacviec@ubnd.example")

    with pytest.raises(ChannelDown, match=r"^553 5\.7\.1 <nhacviec@ubnd\.example>: Sender"):
        send(config(smtp_server.port), outgoing())


def test_it_reports_a_server_that_never_answers_as_transient() -> None:
    with socket.socket() as silent:  # accepts connections (backlog) but never greets
        silent.bind(("127.0.0.1", 0))
        silent.listen()

        with pytest.raises(TransientError):
            send(config(silent.getsockname()[1], timeout=0.3), outgoing())


def test_it_keeps_the_pooled_connection_usable_after_a_refused_recipient(
    smtp_server: SmtpServer,
) -> None:
    smtp_server.start("--reject", "nobody@xa.example")

    async def run() -> None:
        channel = SmtpChannel(config(smtp_server.port, pool_size=1))
        try:
            with pytest.raises(PermanentError):
                await channel.send(outgoing(to="nobody@xa.example"))
            await channel.send(outgoing())
        finally:
            await channel.close()

    asyncio.run(run())

    assert len(smtp_server.messages()) == 1
    assert smtp_server.connections() == 1


def test_it_reports_a_down_server_as_transient_and_delivers_once_when_it_is_back(
    smtp_server: SmtpServer,
) -> None:
    port = free_port()
    settings = config(port)

    with pytest.raises(TransientError):
        send(settings, outgoing())
    smtp_server.start(port=port)
    send(settings, outgoing())

    assert len(smtp_server.messages()) == 1


def test_it_reconnects_when_the_server_dropped_a_pooled_connection(
    smtp_server: SmtpServer,
) -> None:
    smtp_server.start()
    port = smtp_server.port

    async def run() -> None:
        channel = SmtpChannel(config(port, pool_size=1))
        try:
            await channel.send(outgoing())
            await asyncio.to_thread(smtp_server.stop)
            await asyncio.to_thread(smtp_server.start, port=port)
            await channel.send(outgoing(message_id="<second@hygiene.test>"))
        finally:
            await channel.close()

    asyncio.run(run())

    assert [m["Message-ID"] for m in smtp_server.messages()] == [
        "<rotation.42.2026-03-16.7@hygiene.test>",
        "<second@hygiene.test>",
    ]


def test_it_sends_the_vietnamese_subject_and_body_exactly(smtp_server: SmtpServer) -> None:
    smtp_server.start()
    message = outgoing()

    send(config(smtp_server.port), message)

    [received] = smtp_server.messages()
    assert received["Subject"] == message.subject
    body = received.get_content().replace("\r\n", "\n")  # CRLF is the wire's, not the text's
    assert body == message.text + "\n"


def test_it_sends_lines_that_begin_with_a_dot_unchanged(smtp_server: SmtpServer) -> None:
    smtp_server.start()
    text = "Hướng dẫn:\n.\n.htaccess không lưu mật khẩu\n..hai chấm\n."
    html = "<p>Hướng dẫn</p>\n.\n..<b>hai chấm</b>\n."

    send(config(smtp_server.port), outgoing(text=text), outgoing(text=text, html=html))

    plain, alternative = smtp_server.messages()
    assert plain.get_content().replace("\r\n", "\n") == text + "\n"
    parts = [part.get_content().replace("\r\n", "\n") for part in alternative.iter_parts()]
    assert parts == [text, html]  # a part ends where its boundary line begins


def test_it_puts_no_bare_line_end_on_the_wire(smtp_server: SmtpServer) -> None:
    """A sender name holding a line break goes out with CRLF, like every line: a bare LF or CR
    smuggles a second message past some servers. Settings refuse such a name
    (tests/test_settings.py); the channel does not rely on that."""
    smtp_server.start()
    unchecked = config(smtp_server.port).model_copy(
        update={"from_name": "IT\nHelpdesk\rPhuong Ba Dinh"}  # model_copy does not validate
    )

    send(unchecked, outgoing())

    [saved] = smtp_server.directory.glob("*.eml")
    raw = saved.read_bytes()
    assert raw.count(b"\r\n") == raw.count(b"\n") == raw.count(b"\r") > 0


def test_it_fails_permanently_for_refused_content_and_keeps_the_connection(
    smtp_server: SmtpServer,
) -> None:
    smtp_server.start("--reject-content", "<refuse@hygiene.test>")

    async def run() -> None:
        channel = SmtpChannel(config(smtp_server.port, pool_size=1))
        try:
            with pytest.raises(PermanentError, match=r"^554 5\.7\.1 Message content rejected"):
                await channel.send(outgoing(message_id="<refuse@hygiene.test>"))
            await channel.send(outgoing())
        finally:
            await channel.close()

    asyncio.run(run())

    assert [m["Message-ID"] for m in smtp_server.messages()] == [
        "<rotation.42.2026-03-16.7@hygiene.test>"
    ]
    assert smtp_server.connections() == 1


def test_it_uses_the_message_id_of_the_message(smtp_server: SmtpServer) -> None:
    smtp_server.start()

    [result] = send(config(smtp_server.port), outgoing())

    [received] = smtp_server.messages()
    assert received["Message-ID"] == "<rotation.42.2026-03-16.7@hygiene.test>"
    assert result.provider_id == received["Message-ID"]


def test_it_reuses_one_connection_for_messages_sent_one_after_another(
    smtp_server: SmtpServer,
) -> None:
    smtp_server.start()

    send(config(smtp_server.port), *[outgoing(message_id=f"<m{i}@t>") for i in range(5)])

    assert len(smtp_server.messages()) == 5
    assert smtp_server.connections() == 1


def test_it_opens_no_more_connections_than_the_pool_size(smtp_server: SmtpServer) -> None:
    smtp_server.start()

    async def run() -> None:
        channel = SmtpChannel(config(smtp_server.port, pool_size=2))
        try:
            await asyncio.gather(
                *(channel.send(outgoing(message_id=f"<m{i}@t>")) for i in range(12))
            )
        finally:
            await channel.close()

    asyncio.run(run())

    assert len(smtp_server.messages()) == 12
    assert smtp_server.connections() == 2
