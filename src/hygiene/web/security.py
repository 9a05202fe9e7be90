"""HTTP hardening shared by every page: security headers and CSRF for forms.

CSRF uses a signed double-submit token: a random value in an HttpOnly, SameSite=Strict cookie, and
HMAC(secret, value) in each form. A cross-site page can make the browser send the cookie but
cannot read it, so it cannot forge the form field.
"""

import hashlib
import hmac
import secrets
from collections.abc import Awaitable, Callable

from fastapi import Request, Response
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint

CSRF_COOKIE = "hygiene_csrf"
CSRF_FIELD = "csrf_token"
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


class SecurityMiddleware(BaseHTTPMiddleware):
    def __init__(self, app: Callable[..., Awaitable[None]], *, secret: bytes) -> None:
        super().__init__(app)
        self.secret = secret

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        cookie = request.cookies.get(CSRF_COOKIE)
        fresh = None if cookie and len(cookie) == 43 else secrets.token_urlsafe(32)
        request.state.csrf_value = cookie if fresh is None else fresh
        request.state.csrf_secret = self.secret
        response = await call_next(request)
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        if is_https(request):
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        if fresh is not None:
            response.set_cookie(
                CSRF_COOKIE,
                fresh,
                httponly=True,
                samesite="strict",
                secure=is_https(request),
                path="/",
            )
        return response


def csrf_token(request: Request) -> str:
    """The value to put in a form's hidden csrf_token field."""
    value: str = request.state.csrf_value
    return hmac.new(request.state.csrf_secret, value.encode(), hashlib.sha256).hexdigest()


def csrf_ok(request: Request, submitted: str | None) -> bool:
    cookie = request.cookies.get(CSRF_COOKIE)
    if not cookie or not submitted:
        return False
    expected = hmac.new(request.state.csrf_secret, cookie.encode(), hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, submitted)


async def require_csrf(request: Request) -> None:
    """A dependency for every form POST: the hidden field must match the CSRF cookie."""
    from fastapi import HTTPException

    form = await request.form()
    submitted = form.get(CSRF_FIELD)
    if not csrf_ok(request, submitted if isinstance(submitted, str) else None):
        raise HTTPException(403, "auth.csrf")
