"""Helpers for the security suite: signing in through the real forms, reading the CSRF token,
dumping every byte a password or secret could end up in, and tampering with the audit log."""

import json
import re
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url
from sqlmodel import SQLModel

from hygiene.settings import Settings

CSRF = re.compile(r'name="csrf_token" value="([0-9a-f]{64})"')
IMPORT_HEADER = "employee_id,full_name,unit,email,phone,system,kind,login"


def csrf(client: TestClient, path: str) -> str:
    page = client.get(path)
    match = CSRF.search(page.text)
    assert match, page.text
    return match.group(1)


def everything_in_the_database(engine: Engine, settings: Settings) -> bytes:
    """SQLite: the file bytes (with -wal/-shm/-journal); PostgreSQL: every table as text."""
    url = make_url(settings.db_url)
    if url.get_backend_name() == "sqlite":
        files = [Path(f"{url.database}{suffix}") for suffix in ("", "-wal", "-shm", "-journal")]
        return b"".join(path.read_bytes() for path in files if path.exists())
    dumped = []
    with engine.connect() as connection:
        for table in SQLModel.metadata.sorted_tables:
            rows = connection.execute(text(f'SELECT * FROM "{table.name}"')).all()
            dumped.append(repr(rows))
    return "\n".join(dumped).encode("utf-8")


def everything_on_disk(directory: Path) -> bytes:
    return b"".join(p.read_bytes() for p in directory.rglob("*") if p.is_file())


def tamper(engine: Engine, statement: str) -> None:
    """Edit the log out of band, as an insider with database access would: triggers off."""
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(
                text("ALTER TABLE audit_event DISABLE TRIGGER audit_event_append_only")
            )
            connection.execute(text(statement))
            connection.execute(
                text("ALTER TABLE audit_event ENABLE TRIGGER audit_event_append_only")
            )
        else:
            connection.execute(text("DROP TRIGGER IF EXISTS audit_event_no_update"))
            connection.execute(text("DROP TRIGGER IF EXISTS audit_event_no_delete"))
            connection.execute(text(statement))


def write_inventory(path: Path, rows: int = 3) -> Path:
    lines = [IMPORT_HEADER]
    for i in range(1, rows + 1):
        lines.append(
            f"CB{i:03d},Nguyễn Văn {i},UBND xã Bum Nưa,cb{i}@xa.example,0912345{i:03d},"
            f"Email công vụ,email,cb{i}@xa.example"
        )
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


class HostileProvider:
    """A loopback HTTP server that refuses every request the way SMS and Zalo APIs do, and echoes
    the request (keys, tokens and all) in its error text, as careless providers sometimes do."""

    def __init__(self) -> None:
        self.server = _Quiet(("127.0.0.1", 0), _echoing_handler())
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.02,), daemon=True)

    def __enter__(self) -> "HostileProvider":
        self.thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


class _Quiet(ThreadingHTTPServer):
    daemon_threads = False

    def handle_error(self, request: Any, client_address: Any) -> None:
        return None


def _echoing_handler() -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            echo = f"{self.path} {dict(self.headers)} {body.decode('utf-8', 'replace')}"
            answer = {
                "CodeResult": "101",
                "ErrorMessage": f"Authorize Failed: {echo}",
                "status": "error",
                "code": "007",
                "message": f"Access token is invalid: {echo}",
                "error": -124,
                "error_name": f"Invalid refresh token {echo}",
            }
            payload = json.dumps(answer).encode()
            self.send_response(401 if "oauth" in self.path or "access_token" in self.path else 200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        do_GET = do_POST

        def log_message(self, format: str, *args: Any) -> None:
            return None

    return Handler


def self_signed(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 (openssl CLI: the venv has no `cryptography`)."""
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            *("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2"),
            *("-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1"),
            *("-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"),
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


def channel_env(
    *,
    smtp_port: int,
    ca: Path,
    provider: str,
    password: str,
    sms_key: str,
    sms_secret: str,
    zalo_secret: str,
    zalo_refresh: str,
) -> dict[str, str]:
    """SMTP (STARTTLS + AUTH), eSMS and Zalo, every one pointed at a loopback server that fails."""
    return {
        "HYGIENE_CHANNELS__SMTP__HOST": "127.0.0.1",
        "HYGIENE_CHANNELS__SMTP__PORT": str(smtp_port),
        "HYGIENE_CHANNELS__SMTP__SECURITY": "starttls",
        "HYGIENE_CHANNELS__SMTP__USERNAME": "hyg",
        "HYGIENE_CHANNELS__SMTP__PASSWORD": password,
        "HYGIENE_CHANNELS__SMTP__CA_BUNDLE": str(ca),
        "HYGIENE_CHANNELS__SMTP__TIMEOUT": "5",
        "HYGIENE_CHANNELS__SMS__PROVIDER": "esms",
        "HYGIENE_CHANNELS__SMS__BASE_URL": provider,
        "HYGIENE_CHANNELS__SMS__API_KEY": sms_key,
        "HYGIENE_CHANNELS__SMS__SECRET_KEY": sms_secret,
        "HYGIENE_CHANNELS__SMS__BRANDNAME": "UBND",
        "HYGIENE_CHANNELS__SMS__TIMEOUT": "3",
        "HYGIENE_CHANNELS__ZALO__ENABLED": "true",
        "HYGIENE_CHANNELS__ZALO__BASE_URL": provider,
        "HYGIENE_CHANNELS__ZALO__OAUTH_URL": provider,
        "HYGIENE_CHANNELS__ZALO__APP_ID": "4291763606",
        "HYGIENE_CHANNELS__ZALO__SECRET_KEY": zalo_secret,
        "HYGIENE_CHANNELS__ZALO__REFRESH_TOKEN": zalo_refresh,
        "HYGIENE_CHANNELS__ZALO__TEMPLATE_IDS": '{"rotation": "238001", "send_test": "238002"}',
        "HYGIENE_CHANNELS__ZALO__TIMEOUT": "3",
    }


def fail_every_channel(run_cli: Any, env: dict[str, str]) -> list[str]:
    """`hygiene send-test` through SMTP, SMS and Zalo, then plan and deliver real reminders; every
    send fails. Returns what the CLI printed."""
    printed = []
    for channel, to in (
        ("smtp", "cb001@xa.example"),
        ("sms", "0912345001"),
        ("zalo", "0912345001"),
    ):
        result = run_cli("send-test", "--channel", channel, "--to", to, env=env)
        printed.append(result.output)
    for args in (("run", "plan", "--at", AT), ("run", "deliver", "--at", AT)):
        result = run_cli(*args, env=env)
        printed.append(result.output)
    return printed


AT = "2026-03-02T03:00:00+00:00"  # Monday 10:00 in Hà Nội: inside the send window
