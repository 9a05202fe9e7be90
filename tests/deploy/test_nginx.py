"""The nginx reverse-proxy example: TLS, security headers, proxy headers, /metrics kept private."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.deploy.unitfiles import DEPLOY

CONF = DEPLOY / "nginx" / "hygiene.conf"


def _text() -> str:
    return "\n".join(line.split("#", 1)[0] for line in CONF.read_text("utf-8").splitlines())


def _block(text: str, opener: str) -> str:
    start = text.index(opener)
    depth, index = 0, text.index("{", start)
    for index in range(index, len(text)):  # noqa: B020  (the scan resumes from the brace)
        depth += {"{": 1, "}": -1}.get(text[index], 0)
        if depth == 0:
            break
    return text[start : index + 1]


def test_its_braces_balance() -> None:
    text = _text()
    assert text.count("{") == text.count("}")


def test_it_terminates_tls_and_proxies_to_the_loopback_service() -> None:
    text = _text()
    assert re.search(r"listen 443 ssl( http2)?;", text)
    assert "ssl_protocols TLSv1.2 TLSv1.3;" in text
    assert "server 127.0.0.1:8080;" in text


def test_it_adds_the_security_headers_the_app_does_not_send() -> None:
    text = _text()
    for header in ("Strict-Transport-Security", "X-Content-Type-Options", "Referrer-Policy"):
        assert re.search(rf"add_header {header} \"[^\"]+\" always;", text), header


def test_it_passes_the_client_address_and_scheme() -> None:
    text = _text()
    assert "proxy_set_header X-Forwarded-Proto $scheme;" in text
    assert "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;" in text


def test_it_accepts_spreadsheet_uploads() -> None:
    size = re.search(r"client_max_body_size (\d+)m;", _text())
    assert size is not None
    assert int(size.group(1)) >= 10


def test_it_serves_metrics_only_to_localhost_and_monitoring() -> None:
    block = _block(_text(), "location = /metrics")
    assert "allow 127.0.0.1;" in block
    assert block.index("allow 127.0.0.1;") < block.index("deny all;")  # nginx: first match wins
    assert "proxy_pass http://hygiene;" in block


NGINX_MAIN = """
pid {tmp}/nginx.pid;
error_log {tmp}/error.log;
events {{}}
http {{
    access_log {tmp}/access.log;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    include {tmp}/site.conf;
}}
"""


@pytest.mark.skipif(shutil.which("nginx") is None, reason="nginx is not installed")
@pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl is not installed")
def test_nginx_accepts_it(tmp_path: Path) -> None:
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=hygiene.example.vn", "-keyout", str(tmp_path / "privkey.pem"),
         "-out", str(tmp_path / "fullchain.pem")],
        check=True, capture_output=True,
    )  # fmt: skip
    site = CONF.read_text("utf-8").replace("/etc/ssl/hygiene", str(tmp_path))
    (tmp_path / "site.conf").write_text(site.replace("/var/log/nginx", str(tmp_path)), "utf-8")
    (tmp_path / "nginx.conf").write_text(NGINX_MAIN.format(tmp=tmp_path), "utf-8")
    result = subprocess.run(
        ["nginx", "-t", "-c", str(tmp_path / "nginx.conf"), "-p", str(tmp_path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
