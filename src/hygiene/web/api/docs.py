"""The OpenAPI schema and the API docs page, served with locally bundled Swagger UI.

FastAPI's own /docs loads Swagger UI from a CDN with an inline script; both break here (offline
boxes, a CSP without inline scripts). The bundle comes from the fastapi-offline package's static
folder, and the page starts it from /static/docs/swagger-init.js.
"""

from importlib import resources
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles

from hygiene.web.auth import StaffDep
from hygiene.web.deps import LocaleDep, render

router = APIRouter(include_in_schema=False)
ASSETS = "/docs/assets"
OPENAPI = "/openapi.json"


def bundle_folder() -> str:
    return str(resources.files("fastapi_offline") / "static")


def schema(app: FastAPI) -> dict[str, Any]:
    """The generated schema, with the bearer API token declared for "Try it out"."""
    document = app.openapi()
    components = document.setdefault("components", {})
    components.setdefault("securitySchemes", {})["bearer"] = {
        "type": "http",
        "scheme": "bearer",
        "description": "hygiene users token EMAIL",
    }
    document["security"] = [{"bearer": []}]
    return document


@router.get(OPENAPI)
def openapi(request: Request, _: StaffDep) -> JSONResponse:
    return JSONResponse(schema(request.app))


@router.get("/docs", response_class=HTMLResponse)
def docs(request: Request, locale: LocaleDep, _: StaffDep) -> HTMLResponse:
    return render(request, "console/api_docs.html", locale, assets=ASSETS, schema_url=OPENAPI)


def install(app: FastAPI) -> None:
    """Replace FastAPI's unauthenticated schema route and mount the bundled assets."""
    app.router.routes[:] = [
        r for r in app.router.routes if getattr(r, "path", None) != app.openapi_url
    ]
    app.openapi_url = None
    app.mount(ASSETS, StaticFiles(directory=bundle_folder()), name="docs-assets")
    app.include_router(router)
