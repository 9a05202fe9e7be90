"""Microsoft Entra ID through Microsoft Graph, with an app's client-credentials token.

    POST {login}/{tenant}/oauth2/v2.0/token   client_id, client_secret,
                                              scope=https://graph.microsoft.com/.default
    GET  /v1.0/users?$select=…lastPasswordChangeDateTime,employeeId,department…
         &$expand=manager($select=id,mail,userPrincipalName)&$top=N, then each @odata.nextLink
         (the manager comes back as a directoryObject, absent for a user without one; its id is
         what `manager` holds, matched against each user's id by `sources import`)
    GET  /v1.0/reports/authenticationMethods/userRegistrationDetails (isMfaRegistered), paged
         the same way; without the AuditLog.Read.All permission (403) MFA stays unknown

`lastPasswordChangeDateTime` is only returned when named in $select. Errors carry
{"error": {"code": …}} (Graph) or {"error": …} (the token endpoint); 429 and 5xx are retried.
"""

from collections.abc import Iterator
from typing import Any

import httpx

from hygiene.settings import SourceConfig
from hygiene.sources import http, timeparse
from hygiene.sources.base import Closing, Observation, SourceRefused

GRAPH = "https://graph.microsoft.com"
LOGIN = "https://login.microsoftonline.com"
SELECT = (
    "id,userPrincipalName,mail,displayName,accountEnabled,lastPasswordChangeDateTime,"
    "employeeId,department,mobilePhone"
)
EXPAND = "manager($select=id,mail,userPrincipalName)"


class GraphSource(Closing):
    def __init__(self, name: str, config: SourceConfig) -> None:
        self.name = name
        self.config = config
        self.base = (config.url or GRAPH).rstrip("/")
        self._client: httpx.Client | None = None

    def _token(self, client: httpx.Client) -> str:
        url = (
            f"{(self.config.token_url or LOGIN).rstrip('/')}/{self.config.tenant}/oauth2/v2.0/token"
        )
        form = {
            "client_id": self.config.bind,
            "scope": f"{GRAPH}/.default",
            "grant_type": "client_credentials",
        }
        form["client_secret"] = self.config.secret()
        with http.transport_errors(self.name):
            response = client.post(url, data=form)
        answer = http.json_of(self.name, response, http.error_code(response, "error"))
        token = answer.get("access_token")
        if not token:
            raise SourceRefused(source=self.name, reason="token answer without access_token")
        return str(token)

    def _pages(
        self, client: httpx.Client, url: str | None, params: dict[str, Any] | None
    ) -> Iterator[dict[str, Any]]:
        while url:
            with http.transport_errors(self.name):
                response = client.get(url, params=params)
            answer = http.json_of(self.name, response, http.error_code(response, "error", "code"))
            yield from answer.get("value") or []
            url, params = answer.get("@odata.nextLink"), None  # the link carries the query

    def _mfa(self, client: httpx.Client) -> dict[str, bool]:
        url = f"{self.base}/v1.0/reports/authenticationMethods/userRegistrationDetails"
        params = {
            "$select": "userPrincipalName,isMfaRegistered",
            "$top": str(self.config.page_size),
        }
        try:
            return {
                str(r.get("userPrincipalName", "")).lower(): bool(r.get("isMfaRegistered"))
                for r in self._pages(client, url, params)
            }
        except SourceRefused:
            return {}  # the app may lack the reports permission: MFA unknown, not a failure

    def observe(self) -> Iterator[Observation]:
        client = self._client = http.client(self.config)
        token = self._token(client)
        client.headers["Authorization"] = f"Bearer {token}"
        mfa = self._mfa(client)
        params = {
            "$select": SELECT,
            "$expand": EXPAND,
            "$top": str(min(self.config.page_size, 999)),
        }
        for user in self._pages(client, f"{self.base}/v1.0/users", params):
            yield observation(user, mfa)

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None


def observation(user: dict[str, Any], mfa: dict[str, bool]) -> Observation:
    upn = str(user.get("userPrincipalName") or "")
    enabled = user.get("accountEnabled")
    return Observation(
        identity=upn,
        email=user.get("mail") or None,
        password_changed_at=timeparse.iso(user.get("lastPasswordChangeDateTime")),
        disabled=None if enabled is None else not enabled,
        mfa=mfa.get(upn.lower()),
        display_name=user.get("displayName"),
        dn=str(user.get("id") or "") or None,
        manager=str((user.get("manager") or {}).get("id") or "") or None,
        employee_id=user.get("employeeId") or None,
        unit=user.get("department") or None,
        phone=user.get("mobilePhone") or None,
    )
