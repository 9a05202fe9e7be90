"""Local HTTP servers speaking Zimbra's admin SOAP (JSON), Microsoft Graph and Google's Admin
SDK the way their documentation shows: authentication first, pages with their own continuation
(offset + more, @odata.nextLink, nextPageToken), and their error answers. Each records the
requests it received so tests can check what was asked (and that no secret leaks elsewhere)."""

import base64
import json
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa


@dataclass
class Fake:
    users: list[dict[str, Any]]
    secret: str
    page: int = 2
    down: bool = False  # answer 503 to everything
    throttled: int = 0  # answer 429 to this many data requests first
    requests: list[tuple[str, str, str]] = field(default_factory=list)  # method, path?query, body
    token: str = "fake-access-token"
    public_key: rsa.RSAPublicKey | None = None  # Google: verifies the JWT signature
    cos: dict[str, dict[str, str]] = field(default_factory=dict)  # Zimbra: COS id → attrs


class _Handler(BaseHTTPRequestHandler):
    fake: Fake
    routes: dict[tuple[str, str], Any]

    def log_message(self, format: str, *args: Any) -> None:
        return  # quiet

    def _send(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def _handle(self, method: str) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode() if length else ""
        self.fake.requests.append((method, self.path, body))
        if self.fake.down:
            self._send(503, {"error": {"code": "serviceUnavailable", "message": "down"}})
            return
        path = urlsplit(self.path).path
        handler = self.routes.get((method, path)) or self.routes.get((method, "*"))
        if handler is None:
            self._send(404, {"error": {"code": "notFound"}})
            return
        handler(self, body, parse_qs(urlsplit(self.path).query))

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    def bearer_ok(self) -> bool:
        if self.headers.get("Authorization") != f"Bearer {self.fake.token}":
            self._send(401, {"error": {"code": "InvalidAuthenticationToken", "message": "no"}})
            return False
        if self.fake.throttled > 0:
            self.fake.throttled -= 1
            self._send(429, {"error": {"code": "TooManyRequests"}}, {"Retry-After": "1"})
            return False
        return True


# Zimbra ------------------------------------------------------------------------------------


def _zimbra_fault(h: _Handler, code: str, text: str) -> None:
    fault = {"Code": {"Value": "soap:Sender"}, "Reason": {"Text": text},
             "Detail": {"Error": {"Code": code, "_jsns": "urn:zimbra"}}}  # fmt: skip
    h._send(500, {"Header": {"context": {"_jsns": "urn:zimbra"}}, "Body": {"Fault": fault}})


def _zimbra(h: _Handler, body: str, _query: dict[str, list[str]]) -> None:
    envelope = json.loads(body)
    request = envelope.get("Body", {})
    if "AuthRequest" in request:
        auth = request["AuthRequest"]
        if auth.get("password") != h.fake.secret:
            _zimbra_fault(h, "account.AUTH_FAILED", "authentication failed for [admin]")
            return
        answer = {"authToken": [{"_content": h.fake.token}], "lifetime": 43200000,
                  "_jsns": "urn:zimbraAdmin"}  # fmt: skip
        h._send(
            200, {"Header": {"context": {"_jsns": "urn:zimbra"}}, "Body": {"AuthResponse": answer}}
        )
        return
    token = envelope.get("Header", {}).get("context", {}).get("authToken", {}).get("_content")
    if token != h.fake.token:
        _zimbra_fault(h, "service.AUTH_REQUIRED", "no valid authtoken present")
        return
    if "GetAccountRequest" in request:
        _zimbra_get_account(h, request["GetAccountRequest"])
        return
    search = request["SearchDirectoryRequest"]
    offset, limit = int(search.get("offset", 0)), int(search.get("limit", h.fake.page))
    wanted = [a for a in str(search.get("attrs", "")).split(",") if a]
    chunk = [
        _zimbra_view(h.fake, u, wanted, str(search.get("applyCos", "1")) != "0")
        for u in h.fake.users[offset : offset + limit]
    ]
    answer = {"more": offset + limit < len(h.fake.users), "searchTotal": len(h.fake.users),
              "account": chunk, "_jsns": "urn:zimbraAdmin"}  # fmt: skip
    h._send(
        200,
        {
            "Header": {"context": {"_jsns": "urn:zimbra"}},
            "Body": {"SearchDirectoryResponse": answer},
        },
    )


def _zimbra_view(fake: Fake, user: dict[str, Any], wanted: list[str], cos: bool) -> dict[str, Any]:
    """An account as the server answers: the requested attributes only; with applyCos=1 an
    attribute the account does not set comes from its class of service."""
    own = {a["n"]: a["_content"] for a in user.get("a", [])}
    if cos:
        inherited = fake.cos.get(own.get("zimbraCOSId", ""), {})
        own = {**inherited, **own}
    attrs = [{"n": n, "_content": v} for n, v in own.items() if not wanted or n in wanted]
    return {"name": user["name"], "id": user["id"], "a": attrs}


def _zimbra_get_account(h: _Handler, get: dict[str, Any]) -> None:
    selector = get.get("account", {})
    by, key = selector.get("by", "name"), selector.get("_content")
    found = [u for u in h.fake.users if u.get(by) == key]
    if not found:
        _zimbra_fault(h, "account.NO_SUCH_ACCOUNT", f"no such account: {key}")
        return
    wanted = [a for a in str(get.get("attrs", "")).split(",") if a]
    account = _zimbra_view(h.fake, found[0], wanted, str(get.get("applyCos", "1")) != "0")
    answer = {"account": [account], "_jsns": "urn:zimbraAdmin"}
    h._send(
        200,
        {"Header": {"context": {"_jsns": "urn:zimbra"}}, "Body": {"GetAccountResponse": answer}},
    )


# Graph -------------------------------------------------------------------------------------


def _graph_token(h: _Handler, body: str, _query: dict[str, list[str]]) -> None:
    form = {k: v[0] for k, v in parse_qs(body).items()}
    if form.get("grant_type") != "client_credentials" or form.get("client_secret") != h.fake.secret:
        h._send(
            401,
            {
                "error": "invalid_client",
                "error_description": "AADSTS7000215: Invalid client secret provided.",
            },
        )
        return
    h._send(200, {"token_type": "Bearer", "expires_in": 3599, "access_token": h.fake.token})


def _graph_paged(
    h: _Handler, rows: list[dict[str, Any]], query: dict[str, list[str]], path: str
) -> None:
    start = int(query.get("$skiptoken", ["0"])[0])
    top = int(query.get("$top", [str(h.fake.page)])[0])
    answer: dict[str, Any] = {"@odata.context": f"https://graph.microsoft.com/v1.0/$metadata#{path}",
                              "value": rows[start : start + top]}  # fmt: skip
    if start + top < len(rows):  # the link carries the whole query, as Graph's do
        kept = {k: v[0] for k, v in query.items() if k != "$skiptoken"}
        link = urlencode({**kept, "$top": str(top), "$skiptoken": str(start + top)})
        answer["@odata.nextLink"] = f"http://{h.headers['Host']}{path}?{link}"
    h._send(200, answer)


_EXPAND = re.compile(r"manager(?:\(\$select=([^)]*)\))?")


def _graph_users(h: _Handler, _body: str, query: dict[str, list[str]]) -> None:
    """$select picks the properties; $expand=manager($select=…) adds the manager object (a
    directoryObject with its @odata.type, only for users that have one)."""
    if not h.bearer_ok():
        return
    selected = set((query.get("$select") or [""])[0].split(","))
    expand = _EXPAND.fullmatch((query.get("$expand") or [""])[0])
    by_id = {u["id"]: u for u in h.fake.users}
    rows = []
    for user in h.fake.users:
        row = {
            k: v
            for k, v in user.items()
            if k in selected and k not in {"isMfaRegistered", "manager"}
        }
        boss = by_id.get(user.get("manager") or "")
        if expand and boss is not None:
            inner = set((expand.group(1) or "id,mail,userPrincipalName,displayName").split(","))
            row["manager"] = {"@odata.type": "#microsoft.graph.user",
                              **{k: v for k, v in boss.items() if k in inner | {"id"}}}  # fmt: skip
        rows.append(row)
    _graph_paged(h, rows, query, "/v1.0/users")


def _graph_mfa(h: _Handler, _body: str, query: dict[str, list[str]]) -> None:
    if not h.bearer_ok():
        return
    rows = [
        {"userPrincipalName": u["userPrincipalName"], "isMfaRegistered": u.get("isMfaRegistered")}
        for u in h.fake.users
    ]
    _graph_paged(h, rows, query, "/v1.0/reports/authenticationMethods/userRegistrationDetails")


# Google ------------------------------------------------------------------------------------


def _b64decode(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def _google_token(h: _Handler, body: str, _query: dict[str, list[str]]) -> None:
    form = {k: v[0] for k, v in parse_qs(body).items()}
    header, claims, signature = form.get("assertion", "..").split(".")
    try:
        assert h.fake.public_key is not None
        h.fake.public_key.verify(_b64decode(signature), f"{header}.{claims}".encode(),
                                 padding.PKCS1v15(), hashes.SHA256())  # fmt: skip
    except Exception:
        h._send(400, {"error": "invalid_grant", "error_description": "Invalid JWT Signature."})
        return
    h._send(200, {"access_token": h.fake.token, "expires_in": 3599, "token_type": "Bearer"})


def _google_paged(
    h: _Handler, rows: list[dict[str, Any]], query: dict[str, list[str]], items: str, kind: str
) -> None:
    start = int(query.get("pageToken", ["0"])[0])
    answer: dict[str, Any] = {"kind": kind, items: rows[start : start + h.fake.page]}
    if start + h.fake.page < len(rows):
        answer["nextPageToken"] = str(start + h.fake.page)
    h._send(200, answer)


def _google_users(h: _Handler, _body: str, query: dict[str, list[str]]) -> None:
    if h.bearer_ok():
        rows = [{k: v for k, v in u.items() if k != "password_edits"} for u in h.fake.users]
        _google_paged(h, rows, query, "users", "admin#directory#users")


def _google_activity(h: _Handler, _body: str, query: dict[str, list[str]]) -> None:
    if not h.bearer_ok():
        return
    items = [
        {"kind": "admin#reports#activity",
         "id": {"time": at, "uniqueQualifier": str(n), "applicationName": "user_accounts"},
         "actor": {"email": u["primaryEmail"], "profileId": str(n)},
         "events": [{"type": "password_change", "name": "password_edit"}]}
        for n, u in enumerate(h.fake.users) for at in u.get("password_edits", [])
    ]  # fmt: skip
    if query.get("eventName") != ["password_edit"]:
        items = []
    _google_paged(h, items, query, "items", "admin#reports#activities")


ROUTES = {
    "zimbra": {("POST", "/service/admin/soap"): _zimbra},
    "graph": {
        ("POST", "*"): _graph_token,
        ("GET", "/v1.0/users"): _graph_users,
        ("GET", "/v1.0/reports/authenticationMethods/userRegistrationDetails"): _graph_mfa,
    },
    "google": {
        ("POST", "/token"): _google_token,
        ("GET", "/admin/directory/v1/users"): _google_users,
        (
            "GET",
            "/admin/reports/v1/activity/users/all/applications/user_accounts",
        ): _google_activity,
    },
}


@contextmanager
def serve(kind: str, fake: Fake) -> Iterator[str]:
    """Serve `fake` as `kind` on a random loopback port; yields the base URL."""
    handler = type(f"{kind}Handler", (_Handler,), {"fake": fake, "routes": ROUTES[kind]})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
