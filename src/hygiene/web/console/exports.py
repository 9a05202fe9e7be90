"""CSV downloads for the security officer; every export is itself logged (who took what)."""

import io
from collections.abc import Iterable, Sequence
from typing import Any

from fastapi.responses import Response
from sqlmodel import Session

from hygiene.audit import service as audit
from hygiene.bootstrap import Deps
from hygiene.tabular import write_sheet


def csv_download(
    session: Session,
    deps: Deps,
    *,
    actor: str,
    name: str,
    header: Sequence[str],
    rows: Iterable[Sequence[Any]],
    filters: dict[str, Any],
) -> Response:
    buffer = io.BytesIO()
    count = write_sheet(buffer, "csv", header, rows)
    audit.append(
        session,
        key=deps.audit_key,
        now=deps.clock.now(),
        actor=actor,
        action="export.downloaded",
        subject=f"export:{name}",
        data={"rows": count, "filters": filters},
    )
    stamp = deps.clock.now().astimezone(deps.settings.zone).strftime("%Y%m%d")
    return Response(
        buffer.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="hygiene-{name}-{stamp}.csv"',
            "Cache-Control": "no-store",
        },
    )
