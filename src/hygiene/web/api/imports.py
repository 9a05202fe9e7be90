"""/api/v1/import: a spreadsheet upload with the CLI's validation and all-or-nothing rule.

A rejected file answers 422 with the first 200 bad cells ({line, column, field, value, code,
message}) and `total`, the count of every one; the database is left unchanged. The console's
upload page uses the same `import_upload`.
"""

import tempfile
from dataclasses import asdict
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, File, HTTPException, UploadFile
from fastapi.responses import JSONResponse
from sqlmodel import Session

from hygiene import i18n
from hygiene.bootstrap import Deps
from hygiene.errors import ImportRejected, RowProblem
from hygiene.inventory import importer
from hygiene.web.api.common import PREFIX, validation_context
from hygiene.web.auth import AdminDep
from hygiene.web.deps import DepsDep, LocaleDep, SessionDep

router = APIRouter(prefix=PREFIX, tags=["import"])
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
SUFFIXES = (".csv", ".xlsx", ".txt")


def problem_dicts(problems: list[RowProblem], locale: str) -> list[dict[str, Any]]:
    return [
        {
            "line": p.line,
            "column": p.column,  # the file's own header text
            "field": p.field,  # the import column it maps to
            "value": p.value,
            "code": p.code,
            "message": i18n.t(p.code, locale, **p.params),
        }
        for p in problems
    ]


def result_dict(result: importer.ImportResult, locale: str) -> dict[str, Any]:
    return {**asdict(result), "warnings": problem_dicts(result.warnings, locale)}


async def read_upload(upload: UploadFile) -> tuple[str, bytes]:
    name = Path(upload.filename or "upload.csv").name
    data = await upload.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        raise HTTPException(413, "http.413")
    return name, data


def import_upload(
    session: Session, deps: Deps, *, name: str, data: bytes, actor: str, dry_run: bool = False
) -> importer.ImportResult:
    """Import uploaded bytes (raises ImportRejected, InvalidInput); the caller commits."""
    suffix = Path(name).suffix.lower()
    with tempfile.TemporaryDirectory(prefix="hygiene-upload-") as folder:
        path = Path(folder) / (f"{Path(name).stem[:80] or 'upload'}{suffix}")
        path.write_bytes(data)
        return importer.import_file(
            session,
            path,
            context=validation_context(deps),
            key=deps.audit_key,
            now=deps.clock.now(),
            actor=actor,
            dry_run=dry_run,
        )


@router.post("/import", responses={422: {"description": "Rejected rows: nothing changed"}})
async def import_spreadsheet(
    file: Annotated[UploadFile, File(description="CSV (UTF-8) or XLSX")],
    session: SessionDep,
    deps: DepsDep,
    locale: LocaleDep,
    principal: AdminDep,
    dry_run: bool = False,
) -> Any:
    name, data = await read_upload(file)
    try:
        result = import_upload(
            session, deps, name=name, data=data, actor=principal.actor, dry_run=dry_run
        )
    except ImportRejected as exc:
        session.rollback()
        body: dict[str, Any] = {
            "error": exc.code,
            "message": exc.render(locale),
            "problems": problem_dicts(exc.problems, locale),
            "total": exc.total,
        }
        if exc.total > len(exc.problems):
            shown = len(exc.problems)
            body["note"] = i18n.t("importer.truncated", locale, shown=shown, total=exc.total)
        return JSONResponse(body, status_code=422)
    return result_dict(result, locale)
