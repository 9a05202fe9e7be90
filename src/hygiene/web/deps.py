"""Request-scoped dependencies, as Annotated aliases (FastAPI's recommended style)."""

from collections.abc import Iterator
from importlib import resources
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined, pass_context, select_autoescape
from jinja2.runtime import Context
from sqlmodel import Session

from hygiene import db, i18n, labels
from hygiene.bootstrap import Deps
from hygiene.runtime import Runtime
from hygiene.web.security import csrf_token

LANG_COOKIE = "hygiene_lang"


def get_deps(request: Request) -> Deps:
    deps: Deps = request.app.state.deps
    return deps


def get_runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


def get_session(deps: Annotated[Deps, Depends(get_deps)]) -> Iterator[Session]:
    with db.session_scope(deps.engine) as session:
        yield session


def client_ip(request: Request) -> str:
    """The caller's address (behind a trusted proxy, uvicorn has already put the client's here)."""
    return request.client.host if request.client else "unknown"


def get_locale(request: Request, deps: Annotated[Deps, Depends(get_deps)]) -> str:
    """?lang= wins (and is remembered in a cookie), then the cookie, then Accept-Language."""
    chosen = request.query_params.get("lang") or request.cookies.get(LANG_COOKIE)
    if chosen and chosen[:2] in i18n.LOCALES:
        return chosen[:2]
    for part in request.headers.get("accept-language", "").split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in i18n.LOCALES:
            return code
    return deps.settings.locale


DepsDep = Annotated[Deps, Depends(get_deps)]
RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
# scope="function": commit before the response is sent, so a 2xx means the change is durable
# (with the default "request" scope FastAPI commits only after the client has its answer).
SessionDep = Annotated[Session, Depends(get_session, scope="function")]
LocaleDep = Annotated[str, Depends(get_locale)]


def build_templates() -> Environment:
    folder = resources.files("hygiene") / "web" / "templates"
    env = Environment(
        loader=FileSystemLoader(str(folder)),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["date"] = i18n.format_value
    env.filters.update(label=_label, kind=_kind, percent=_percent, number=_number)
    return env


# Filters in the reader's locale (the `locale` every page is rendered with): codes become labels
# (hygiene.labels, the same table as the CLI's), numbers are written per locale with Babel.
@pass_context
def _label(context: Context, code: str | None, namespace: str) -> str:
    return labels.label(namespace, code, context["locale"]) if code else "—"


@pass_context
def _kind(context: Context, kind: str) -> str:
    policies = context["request"].app.state.deps.settings.policies
    return labels.label("kind", kind, context["locale"], kinds=policies)


@pass_context
def _percent(context: Context, value: float | None) -> str:
    return i18n.format_percent(value, context["locale"])


@pass_context
def _number(context: Context, value: float | None) -> str:
    return i18n.format_number(value, context["locale"])


def render(
    request: Request, name: str, locale: str, status_code: int = 200, **context: Any
) -> HTMLResponse:
    """Render a page with `t` bound to the reader's locale and a CSRF token for its forms."""
    env: Environment = request.app.state.templates

    def t(key: str, **params: Any) -> str:
        return i18n.t(key, locale, **params)

    html = env.get_template(name).render(
        request=request, locale=locale, t=t, csrf_token=csrf_token(request), **context
    )
    response = HTMLResponse(html, status_code=status_code)
    if request.query_params.get("lang") == locale:
        response.set_cookie(LANG_COOKIE, locale, max_age=365 * 86400, samesite="lax", httponly=True)
    return response
