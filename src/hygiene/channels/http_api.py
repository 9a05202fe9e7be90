"""What the HTTP adapters (SMS gateways, Zalo) share: one POST with transport-level classification.

    TransientError  timeouts, refused or reset connections, HTTP 429 and 5xx
Everything else is returned to the adapter, which reads the provider's own error codes. Reasons
keep the provider's answer verbatim (truncated), with any configured secret masked in case a
provider echoes the request back.
"""

from collections.abc import Iterable
from typing import Any

import httpx

from hygiene.channels.base import TransientError

MAX_REASON = 500


def new_client(timeout: float) -> httpx.AsyncClient:
    """A client that never follows redirects (an API answering 3xx is misconfigured)."""
    return httpx.AsyncClient(timeout=timeout, follow_redirects=False)


async def post(client: httpx.AsyncClient, url: str, **kwargs: Any) -> httpx.Response:
    """POST, raising TransientError for what a later attempt may fix."""
    try:
        response = await client.post(url, **kwargs)
    except httpx.TimeoutException as exc:
        raise TransientError(f"timeout ({type(exc).__name__}) calling {_host(url)}") from None
    except httpx.TransportError as exc:
        raise TransientError(f"cannot reach {_host(url)}: {exc}") from None
    if response.status_code == 429 or response.status_code >= 500:
        raise TransientError(f"HTTP {response.status_code}: {answer(response)}")
    return response


def answer(response: httpx.Response) -> str:
    """The provider's answer as text, for the delivery log."""
    return response.text.strip()[:MAX_REASON] or f"HTTP {response.status_code}"


def json_body(response: httpx.Response) -> dict[str, Any]:
    """The JSON object of a response; anything else is a TransientError (a proxy page, …)."""
    try:
        data = response.json()
    except ValueError:
        data = None
    if not isinstance(data, dict):
        raise TransientError(f"HTTP {response.status_code}, not a JSON object: {answer(response)}")
    return data


def mask(text: str, secrets: Iterable[str | None]) -> str:
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return text


def _host(url: str) -> str:
    return httpx.URL(url).host or url
