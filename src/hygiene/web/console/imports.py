"""/console/import: upload the inventory spreadsheet; bad rows are listed (line, column, reason)
and nothing changes until a corrected file goes through (the importer's all-or-nothing rule)."""

from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse

from hygiene.errors import HygieneError, ImportRejected
from hygiene.inventory.importer import COLUMNS, MAX_PROBLEMS, REQUIRED, VI_HEADERS
from hygiene.web.api.imports import import_upload, problem_dicts, read_upload, result_dict
from hygiene.web.auth import AdminDep, Principal
from hygiene.web.console.common import Csrf, page
from hygiene.web.deps import DepsDep, LocaleDep, SessionDep

router = APIRouter(prefix="/import")
MAX_SHOWN = MAX_PROBLEMS


def _form(
    request: Request, locale: str, principal: Principal, status_code: int = 200, **context: object
) -> HTMLResponse:
    defaults: dict[str, object] = {
        "problems": None,
        "result": None,
        "error": None,
        "file_name": None,
    }
    return page(
        request,
        "console/import.html",
        locale,
        principal,
        status_code=status_code,
        columns=COLUMNS,
        required=REQUIRED,
        vi_headers=VI_HEADERS,
        **{**defaults, **context},
    )


@router.get("", response_class=HTMLResponse)
def form(request: Request, locale: LocaleDep, principal: AdminDep) -> HTMLResponse:
    return _form(request, locale, principal)


@router.post("", dependencies=[Csrf], response_class=HTMLResponse)
async def upload(
    request: Request,
    locale: LocaleDep,
    session: SessionDep,
    deps: DepsDep,
    principal: AdminDep,
    file: Annotated[UploadFile, File()],
    dry_run: Annotated[bool, Form()] = False,
) -> HTMLResponse:
    name, data = await read_upload(file)
    try:
        result = import_upload(
            session, deps, name=name, data=data, actor=principal.actor, dry_run=dry_run
        )
    except ImportRejected as exc:
        session.rollback()
        problems = problem_dicts(exc.problems, locale)
        return _form(
            request,
            locale,
            principal,
            status_code=422,
            file_name=name,
            error=exc.render(locale),
            problems=problems[:MAX_SHOWN],
            hidden=max(0, exc.total - min(len(problems), MAX_SHOWN)),
        )
    except HygieneError as exc:
        session.rollback()
        return _form(request, locale, principal, 400, file_name=name, error=exc.render(locale))
    shown = result_dict(result, locale)
    return _form(request, locale, principal, file_name=name, result=shown)
