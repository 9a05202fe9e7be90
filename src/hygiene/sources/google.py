"""Google Workspace: a service account with domain-wide delegation, acting as a read-only admin.

token    a JWT (RS256, signed with the key file's private key; sub = the admin) exchanged at
         the key's token_uri (grant_type jwt-bearer), scopes admin.directory.user.readonly and
         admin.reports.audit.readonly
Reports  GET /admin/reports/v1/activity/users/all/applications/user_accounts
         ?eventName=password_edit&startTime=…  (the latest change per actor; 180 days kept)
Directory GET /admin/directory/v1/users?customer=my_customer  (isEnrolledIn2Sv, suspended)
Both page with pageToken / nextPageToken. `secret_file` is the service account's JSON key.
"""

import base64
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from hygiene.settings import SourceConfig
from hygiene.sources import http, timeparse
from hygiene.sources.base import Closing, Observation, SourceRefused

ADMIN = "https://admin.googleapis.com"
SCOPES = (
    "https://www.googleapis.com/auth/admin.directory.user.readonly "
    "https://www.googleapis.com/auth/admin.reports.audit.readonly"
)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def assertion(key: dict[str, Any], *, subject: str, audience: str, now: datetime) -> str:
    """The signed JWT a service account trades for an access token."""
    header = {"alg": "RS256", "typ": "JWT", "kid": key.get("private_key_id", "")}
    claims = {
        "iss": key["client_email"],
        "sub": subject,
        "scope": SCOPES,
        "aud": audience,
        "iat": int(now.timestamp()),
        "exp": int(now.timestamp()) + 3600,
    }
    signing_input = f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(claims).encode())}"
    private = serialization.load_pem_private_key(key["private_key"].encode(), password=None)
    if not isinstance(private, rsa.RSAPrivateKey):
        raise ValueError("service account key is not RSA")
    signature = private.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
    return f"{signing_input}.{_b64(signature)}"


class GoogleSource(Closing):
    def __init__(self, name: str, config: SourceConfig) -> None:
        self.name = name
        self.config = config
        self.base = (config.url or ADMIN).rstrip("/")
        self._client: httpx.Client | None = None

    def _key(self) -> dict[str, Any]:
        try:
            key: dict[str, Any] = json.loads(self.config.secret())
            if not (key.get("client_email") and key.get("private_key")):
                raise ValueError("incomplete key")
        except (ValueError, TypeError, AttributeError):
            raise SourceRefused(
                source=self.name, reason="secret_file is not a service account JSON key"
            ) from None
        return key

    def _token(self, client: httpx.Client, now: datetime) -> str:
        key = self._key()
        audience = (
            self.config.token_url or key.get("token_uri") or "https://oauth2.googleapis.com/token"
        )
        try:
            signed = assertion(key, subject=self.config.subject, audience=audience, now=now)
        except ValueError:
            raise SourceRefused(source=self.name, reason="unreadable private key") from None
        grant = {"grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer", "assertion": signed}
        with http.transport_errors(self.name):
            response = client.post(audience, data=grant)
        answer = http.json_of(self.name, response, http.error_code(response, "error"))
        if not answer.get("access_token"):
            raise SourceRefused(source=self.name, reason="token answer without access_token")
        return str(answer["access_token"])

    def _pages(
        self, client: httpx.Client, url: str, params: dict[str, str], items: str
    ) -> Iterator[dict[str, Any]]:
        while True:
            with http.transport_errors(self.name):
                response = client.get(url, params=params)
            answer = http.json_of(self.name, response, http.error_code(response, "error", "status"))
            yield from answer.get(items) or []
            if not answer.get("nextPageToken"):
                return
            params = {**params, "pageToken": answer["nextPageToken"]}

    def _changes(self, client: httpx.Client, now: datetime) -> dict[str, datetime]:
        url = f"{self.base}/admin/reports/v1/activity/users/all/applications/user_accounts"
        since = (now - timedelta(days=self.config.since_days)).strftime("%Y-%m-%dT%H:%M:%S.000Z")
        params = {"eventName": "password_edit", "startTime": since, "maxResults": "1000"}
        latest: dict[str, datetime] = {}
        for item in self._pages(client, url, params, "items"):
            email = str((item.get("actor") or {}).get("email") or "").lower()
            at = timeparse.iso((item.get("id") or {}).get("time"))
            if email and at and (email not in latest or at > latest[email]):
                latest[email] = at
        return latest

    def observe(self) -> Iterator[Observation]:
        now = datetime.now(UTC)
        client = self._client = http.client(self.config)
        client.headers["Authorization"] = f"Bearer {self._token(client, now)}"
        changes = self._changes(client, now)
        url = f"{self.base}/admin/directory/v1/users"
        params = {"customer": self.config.tenant or "my_customer", "maxResults": "500"}
        for user in self._pages(client, url, params, "users"):
            yield observation(user, changes)

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None


def observation(user: dict[str, Any], changes: dict[str, datetime]) -> Observation:
    email = str(user.get("primaryEmail") or "")
    managers = [r.get("value") for r in user.get("relations") or [] if r.get("type") == "manager"]
    return Observation(
        identity=email,
        email=email,
        password_changed_at=changes.get(email.lower()),
        disabled=bool(user.get("suspended")) or bool(user.get("archived")),
        mfa=user.get("isEnrolledIn2Sv"),
        manager=managers[0] if managers else None,
        display_name=(user.get("name") or {}).get("fullName"),
    )
