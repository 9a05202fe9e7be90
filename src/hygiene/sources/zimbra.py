"""Zimbra, through its admin SOAP API (JSON form, port 7071):

    AuthRequest              the read-only admin's name and password → authToken
    SearchDirectoryRequest   types=accounts, applyCos=0, `limit` at a time from `offset` while
                             the answer says `more`: each account's own attributes
    GetAccountRequest        applyCos=1, once per class of service (zimbraCOSId) that has an
                             account without its own zimbraTwoFactorAuthEnabled: the value it
                             inherits from that COS (an account with none set gets its COS's)

Attributes: zimbraPasswordModifiedTime, zimbraAccountStatus (locked / closed = disabled),
zimbraTwoFactorAuthEnabled, displayName, employeeNumber, ou, mobile. A fault answers HTTP 500
with Body.Fault.Detail.Error.Code (e.g. account.AUTH_FAILED, service.PERM_DENIED).
"""

from collections.abc import Iterator
from typing import Any

import httpx

from hygiene.settings import SourceConfig
from hygiene.sources import http, timeparse
from hygiene.sources.base import Closing, Observation, SourceRefused, SourceUnavailable

TWO_FACTOR = "zimbraTwoFactorAuthEnabled"
ATTRS = (
    "zimbraPasswordModifiedTime",
    "zimbraAccountStatus",
    TWO_FACTOR,
    "zimbraCOSId",
    "displayName",
    "employeeNumber",
    "ou",
    "mobile",
)
DISABLED = {"locked", "closed"}
TRANSIENT = {"service.FAILURE", "service.TEMPORARILY_UNAVAILABLE"}
_FAULT_PATH = ("Body", "Fault", "Detail", "Error", "Code")


class ZimbraSource(Closing):
    def __init__(self, name: str, config: SourceConfig) -> None:
        self.name = name
        self.config = config
        self.endpoint = config.url.rstrip("/") + "/service/admin/soap"
        self._client: httpx.Client | None = None

    def _call(self, body: dict[str, Any], token: str | None = None) -> dict[str, Any]:
        context: dict[str, Any] = {"_jsns": "urn:zimbra"}
        if token:
            context["authToken"] = {"_content": token}
        if self._client is None:
            self._client = http.client(self.config)
        with http.transport_errors(self.name):
            response = self._client.post(
                self.endpoint, json={"Header": {"context": context}, "Body": body}
            )
        code = http.error_code(response, *_FAULT_PATH)
        if response.status_code == 500 and code:  # a SOAP fault: refused unless transient
            error = SourceUnavailable if code in TRANSIENT else SourceRefused
            raise error(source=self.name, reason=code)
        answer: dict[str, Any] = http.json_of(self.name, response, code).get("Body", {})
        return answer

    def _auth(self) -> str:
        request = {"_jsns": "urn:zimbraAdmin", "name": self.config.bind}
        request["password"] = self.config.secret()
        answer = self._call({"AuthRequest": request}).get("AuthResponse", {})
        tokens = answer.get("authToken") or [{}]
        token = tokens[0].get("_content") if isinstance(tokens, list) else None
        if not token:
            raise SourceRefused(source=self.name, reason="AuthResponse without authToken")
        return str(token)

    def observe(self) -> Iterator[Observation]:
        token = self._auth()
        inherited: dict[str, str | None] = {}  # COS id → its two-factor value
        offset = 0
        while True:
            request = {
                "_jsns": "urn:zimbraAdmin",
                "query": "",
                "types": "accounts",
                "applyCos": "0",
                "limit": self.config.page_size,
                "offset": offset,
                "attrs": ",".join(ATTRS),
                **({"domain": self.config.base} if self.config.base else {}),
            }
            answer = self._call({"SearchDirectoryRequest": request}, token)
            page = answer.get("SearchDirectoryResponse", {})
            accounts = page.get("account") or []
            for account in accounts:
                attrs = attributes(account)
                if attrs.get(TWO_FACTOR) is None and attrs.get("zimbraCOSId"):
                    cos = str(attrs["zimbraCOSId"])
                    if cos not in inherited:
                        inherited[cos] = self._inherited(token, account)
                    attrs[TWO_FACTOR] = inherited[cos]
                yield observation(account, attrs)
            offset += len(accounts)
            if not page.get("more") or not accounts:
                return

    def _inherited(self, token: str, account: dict[str, Any]) -> str | None:
        """The two-factor value an account gets from its COS: GetAccountRequest, COS applied."""
        request = {
            "_jsns": "urn:zimbraAdmin",
            "applyCos": "1",
            "attrs": TWO_FACTOR,
            "account": {"by": "id", "_content": str(account.get("id", ""))},
        }
        answer = self._call({"GetAccountRequest": request}, token)
        found = answer.get("GetAccountResponse", {}).get("account") or [{}]
        value = attributes(found[0]).get(TWO_FACTOR)
        return None if value is None else str(value)

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None


def attributes(account: dict[str, Any]) -> dict[str, Any]:
    return {a.get("n"): a.get("_content") for a in account.get("a") or []}


def observation(account: dict[str, Any], attrs: dict[str, Any] | None = None) -> Observation:
    attrs = attributes(account) if attrs is None else attrs
    name = str(account.get("name", ""))
    two_factor = str(attrs.get(TWO_FACTOR) or "").upper()
    return Observation(
        identity=name,
        email=name,
        password_changed_at=timeparse.generalized(attrs.get("zimbraPasswordModifiedTime")),
        disabled=str(attrs.get("zimbraAccountStatus") or "active").lower() in DISABLED,
        mfa={"TRUE": True, "FALSE": False}.get(two_factor),
        display_name=attrs.get("displayName"),
        dn=str(account.get("id") or "") or None,
        employee_id=attrs.get("employeeNumber"),
        unit=attrs.get("ou"),
        phone=attrs.get("mobile"),
    )
