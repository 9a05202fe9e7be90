"""`hygiene incidents list`: threat reports from officials, newest first."""

from datetime import datetime
from typing import Annotated

import typer
from pydantic import BaseModel
from sqlmodel import Session

from hygiene import i18n
from hygiene.cli.common import session
from hygiene.cli.output import OutputFormat, emit
from hygiene.db import row_id
from hygiene.incidents import notify
from hygiene.incidents import service as incidents
from hygiene.incidents.models import IncidentReport
from hygiene.inventory.models import Official

incidents_app = typer.Typer(no_args_is_help=True, help="Báo cáo bị đe dọa / Threat reports.")
INCIDENT_COLUMNS = [
    *("id", "reference", "created_at", "employee_id", "channel", "occurred_on", "status"),
]
INCIDENT_CODES = {"status": "incident_status", "channel": "incident_channel"}


class IncidentRow(BaseModel):
    id: int
    reference: str
    created_at: datetime
    employee_id: str | None
    reported_by: str
    channel: str
    occurred_on: str | None
    status: str
    description: str


@incidents_app.command("list")
def list_(
    ctx: typer.Context,
    status: Annotated[str | None, typer.Option(help="new | forwarded | closed")] = None,
    fmt: Annotated[OutputFormat, typer.Option("--format", "-f")] = OutputFormat.table,
) -> None:
    """Liệt kê báo cáo, mới nhất trước. / List reports, newest first."""
    with session(ctx) as s:
        rows = [_row(s, r) for r in incidents.list_reports(s, status=status)]
    if fmt is not OutputFormat.table:
        emit(ctx, rows, fmt, [*INCIDENT_COLUMNS, "reported_by", "description"])
        return
    shown = [row.model_copy(update={"description": row.description[:200]}) for row in rows]
    emit(
        ctx, shown, fmt, [*INCIDENT_COLUMNS[1:], "description"], codes=INCIDENT_CODES,
        optional=("occurred_on", "channel"), empty="incident.listed_none", headers="incidents.col",
    )  # fmt: skip


def _row(s: Session, report: IncidentReport) -> IncidentRow:
    official = s.get(Official, report.official_id) if report.official_id else None
    return IncidentRow(
        id=row_id(report.id),
        reference=notify.reference(report),
        created_at=report.created_at,
        employee_id=official.employee_id if official else None,
        reported_by=report.reported_by,
        channel=report.channel,
        status=report.status,
        description=report.description,
        occurred_on=i18n.format_date(report.occurred_on) if report.occurred_on else None,
    )


def register(app: typer.Typer) -> None:
    app.add_typer(incidents_app, name="incidents")
