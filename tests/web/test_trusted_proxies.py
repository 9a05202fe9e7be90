"""`trusted_proxies`: the web server believes X-Forwarded-* only from the configured proxies.

Checked on the real `hygiene serve`: behind a trusted proxy that says the client used HTTPS, the
CSRF cookie is marked Secure; from an address that is not a trusted proxy, the same header is
ignored.
"""

import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.serve_helpers import serve_env
from tests.serve_helpers import serving as serve


@contextmanager
def serving(tmp_path: Path, db_url: str, trusted: str) -> Iterator[str]:
    env = serve_env(db_url, tmp_path, HYGIENE_TRUSTED_PROXIES=trusted)
    with serve(tmp_path, env, "--no-scheduler") as served:
        yield served.base


def _cookies_over_https_says_the_proxy(base: str) -> str:
    request = urllib.request.Request(  # noqa: S310  (loopback)
        f"{base}/portal/sign-in", headers={"X-Forwarded-Proto": "https"}
    )
    with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
        return "\n".join(response.headers.get_all("set-cookie") or [])


def test_forwarded_headers_count_only_from_a_trusted_proxy(tmp_path: Path, db_url: str) -> None:
    with serving(tmp_path, db_url, trusted="127.0.0.1") as base:
        trusted = _cookies_over_https_says_the_proxy(base)
    with serving(tmp_path, db_url, trusted="10.20.30.40") as base:
        untrusted = _cookies_over_https_says_the_proxy(base)
    assert "hygiene_csrf=" in trusted
    assert "secure" in trusted.lower()
    assert "hygiene_csrf=" in untrusted
    assert "secure" not in untrusted.lower()
