"""HTTP hardening shared by every page: security headers, cookies, CSRF and same-origin writes.

CSRF tokens need the server's secret and something a same-site page cannot choose:

- with a session (console or portal), a form token is HMAC(secret, the session token): a page on
  another port or a sibling subdomain can plant cookies, but not the victim's session token;
- before sign-in, it is HMAC(secret, the nonce of a CSRF cookie the server minted and signed);
  a cookie the server did not sign is replaced, never used, so planting one gains nothing.

As defence in depth, an unsafe request (POST, PUT, PATCH, DELETE) that a browser marks as coming
from another origin (`Sec-Fetch-Site` other than same-origin/none, or else an `Origin` that is not
ours) is refused before any route runs. Over TLS the cookies carry the `__Host-` prefix, which a
sibling subdomain or a plain-HTTP page cannot set.
"""

import hashlib
import hmac
import secrets
from collections.abc import Awaitable, Callable

from fastapi import Request, Response
from fastapi.responses import JSONResponse
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint

CSRF_COOKIE = "hygiene_csrf"
SESSION_COOKIE = "hygiene_session"
CSRF_FIELD = "csrf_token"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; frame-ancestors 'none'; form-action 'self'; "
    "base-uri 'none'; object-src 'none'"
)
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), interest-cohort=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def is_https(request: Request) -> bool:
    """Behind a TLS-terminating proxy, trust X-Forwarded-Proto only from uvicorn's proxy list."""
    return request.url.scheme == "https"


def cookie_name(request: Request, base: str) -> str:
    """`__Host-<base>` over TLS (host-only, Secure, Path=/, unsettable by other hosts)."""
    return f"__Host-{base}" if is_https(request) else base


def read_cookie(request: Request, base: str) -> str | None:
    return request.cookies.get(cookie_name(request, base))


def _signature(secret: bytes, nonce: str) -> str:
    return hmac.new(secret, f"hygiene/csrf-cookie/v2|{nonce}".encode(), hashlib.sha256).hexdigest()


def mint_cookie(secret: bytes) -> str:
    nonce = secrets.token_urlsafe(24)
    return f"{nonce}.{_signature(secret, nonce)}"


def minted_nonce(secret: bytes, cookie: str | None) -> str | None:
    """The nonce of a CSRF cookie this server signed, else None."""
    nonce, _, signature = (cookie or "").partition(".")
    if nonce and hmac.compare_digest(_signature(secret, nonce), signature):
        return nonce
    return None


def binding(request: Request, secret: bytes) -> str | None:
    """What the request's tokens are bound to: its session, else its minted CSRF cookie."""
    session = read_cookie(request, SESSION_COOKIE)
    if session:
        return f"session:{session}"
    nonce = minted_nonce(secret, read_cookie(request, CSRF_COOKIE))
    return f"browser:{nonce}" if nonce else None


def token_for(secret: bytes, bound_to: str) -> str:
    return hmac.new(secret, f"hygiene/csrf/v2|{bound_to}".encode(), hashlib.sha256).hexdigest()


def from_another_origin(request: Request) -> bool:
    site = request.headers.get("sec-fetch-site")
    if site is not None:
        return site not in {"same-origin", "none"}
    origin = request.headers.get("origin")
    if origin is None:
        return False  # not a browser's cross-origin request (scripts, webhooks, old browsers)
    return origin != f"{request.url.scheme}://{request.url.netloc}"


class SecurityMiddleware(BaseHTTPMiddleware):
    def __init__(self, app: Callable[..., Awaitable[None]], *, secret: bytes) -> None:
        super().__init__(app)
        self.secret = secret

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        bound_to = binding(request, self.secret)
        fresh = None
        if read_cookie(request, SESSION_COOKIE) is None and bound_to is None:
            fresh = mint_cookie(self.secret)
            bound_to = f"browser:{fresh.partition('.')[0]}"
        request.state.csrf_value = bound_to
        request.state.csrf_secret = self.secret
        if request.method in UNSAFE_METHODS and from_another_origin(request):
            response: Response = _cross_origin_refusal(request)
        else:
            response = await call_next(request)
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        if is_https(request):
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        if fresh is not None:
            response.set_cookie(
                cookie_name(request, CSRF_COOKIE), fresh, httponly=True, samesite="strict",
                secure=is_https(request), path="/",
            )  # fmt: skip
        return response


def _cross_origin_refusal(request: Request) -> Response:
    from hygiene import i18n
    from hygiene.web.deps import get_locale

    locale = get_locale(request, request.app.state.deps)
    message = i18n.t("auth.cross_origin", locale)
    if request.url.path.startswith("/api/"):
        return JSONResponse({"error": "auth.cross_origin", "message": message}, status_code=403)
    return Response(message, status_code=403, media_type="text/plain; charset=utf-8")


def csrf_token(request: Request) -> str:
    """The value to put in a form's hidden csrf_token field."""
    bound_to: str = request.state.csrf_value
    return token_for(request.state.csrf_secret, bound_to)


def csrf_ok(request: Request, submitted: str | None) -> bool:
    bound_to = binding(request, request.state.csrf_secret)
    if bound_to is None or not submitted:
        return False
    return hmac.compare_digest(token_for(request.state.csrf_secret, bound_to), submitted)


async def require_csrf(request: Request) -> None:
    """A dependency for every form POST: the hidden field must match the request's binding."""
    from fastapi import HTTPException

    form = await request.form()
    submitted = form.get(CSRF_FIELD)
    if not csrf_ok(request, submitted if isinstance(submitted, str) else None):
        raise HTTPException(403, "auth.csrf")
