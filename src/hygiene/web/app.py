"""create_app(deps): the whole web service, built from injected dependencies (tests pass fakes)."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib import resources

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from hygiene import __version__
from hygiene.audit.jobs import VerificationJobs
from hygiene.bootstrap import Deps
from hygiene.runtime import Runtime
from hygiene.web import api, console, errors, health, portal
from hygiene.web.auth import PublicDep
from hygiene.web.deps import LocaleDep, build_templates, render
from hygiene.web.limits import BodyLimit
from hygiene.web.security import SecurityMiddleware


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    yield
    app.state.verifications.wait()  # a background verification ends before the engine does


def create_app(deps: Deps, *, runtime: Runtime | None = None) -> FastAPI:
    app = FastAPI(
        lifespan=_lifespan,
        title="hygiene",
        version=__version__,
        description="Nhắc đổi mật khẩu và giữ an toàn tài khoản — không lưu mật khẩu. "
        "/ Password-rotation and account-hygiene reminders, without storing passwords.",
        docs_url=None,
        redoc_url=None,
    )
    app.state.deps = deps
    app.state.runtime = runtime or Runtime(started_at=deps.clock.now())
    app.state.templates = build_templates()
    app.state.metrics = health.metrics_registry(deps, app.state.runtime)
    app.state.verifications = VerificationJobs(
        deps.engine, deps.audit_key, deps.clock, deps.settings.security.verify_workers
    )
    limits = deps.settings.security
    # Inside SecurityMiddleware: the route's own receive() raises, so the app's handler answers.
    app.add_middleware(
        BodyLimit,
        upload_bytes=limits.upload_max_mb * 1024 * 1024,
        other_bytes=limits.json_max_kb * 1024,
    )
    app.add_middleware(SecurityMiddleware, secret=deps.secret)
    static = resources.files("hygiene") / "web" / "static"
    app.mount("/static", StaticFiles(directory=str(static)), name="static")
    app.include_router(health.router)
    app.include_router(console.router)
    app.include_router(portal.router)
    api.install(app)
    errors.install(app)

    @app.get("/", include_in_schema=False, response_class=HTMLResponse)
    def home(request: Request, locale: LocaleDep, _: PublicDep) -> HTMLResponse:
        return render(request, "home.html", locale)

    return app
