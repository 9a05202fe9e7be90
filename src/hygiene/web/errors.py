"""One place that turns errors into responses in the reader's language.

API paths (/api/…) get JSON {"error": code, "message": text}; pages get a small HTML page, and a
401 on a page becomes a redirect to the right sign-in form.
"""

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from hygiene import i18n, reasons
from hygiene.errors import Conflict, HygieneError, NotFound
from hygiene.web.deps import get_locale, render

_STATUS = {NotFound: 404, Conflict: 409}


def _locale(request: Request) -> str:
    return get_locale(request, request.app.state.deps)


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or "application/json" in request.headers.get(
        "accept", ""
    )


def error_response(request: Request, status: int, code: str, message: str) -> Response:
    if _wants_json(request):
        return JSONResponse({"error": code, "message": message}, status_code=status)
    if status == 401:
        target = "/console/login" if request.url.path.startswith("/console") else "/portal/sign-in"
        return RedirectResponse(f"{target}?next={request.url.path}", status_code=303)
    return render(
        request, "error.html", _locale(request), status_code=status, message=message, status=status
    )


def install(app: FastAPI) -> None:
    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        code = (
            exc.detail
            if isinstance(exc.detail, str) and "." in exc.detail
            else f"http.{exc.status_code}"
        )
        response = error_response(request, exc.status_code, code, i18n.t(code, _locale(request)))
        for name, value in (exc.headers or {}).items():
            response.headers[name] = value
        return response

    @app.exception_handler(HygieneError)
    async def hygiene_error(request: Request, exc: HygieneError) -> Response:
        status = next((s for kind, s in _STATUS.items() if isinstance(exc, kind)), 400)
        return error_response(request, status, exc.code, exc.render(_locale(request)))

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> Response:
        first = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(p) for p in first.get("loc", ()) if p != "body")
        reason = reasons.phrase(first) if first else ""
        message = i18n.t("http.invalid_field", _locale(request), field=where or "?", reason=reason)
        return error_response(request, 422, "http.invalid_field", message)
