"""`hygiene ack`, `hygiene incidents list` and `hygiene check-password`.

check-password reads the password with a hidden prompt (getpass underneath), never echoes it,
never stores it: only the score and date, on the account named by --account.
"""

from datetime import datetime
from typing import Annotated

import typer
from pydantic import BaseModel
from rich.console import Console
from rich.table import Table
from sqlmodel import Session, col, select

from hygiene import i18n
from hygiene.acks import service as acks
from hygiene.cli.common import OutputFormat, actor, emit, say, session, state
from hygiene.db import row_id
from hygiene.errors import HygieneError, NotFound
from hygiene.incidents import service as incidents
from hygiene.incidents.models import IncidentReport
from hygiene.inventory.models import Account, Official
from hygiene.policy import strength
from hygiene.policy.rules import local_date
from hygiene.portal import service as portal

incidents_app = typer.Typer(no_args_is_help=True, help="Báo cáo bị đe dọa / Threat reports.")
INCIDENT_COLUMNS = ["id", "created_at", "employee_id", "channel", "occurred_on", "status"]


class IncidentRow(BaseModel):
    id: int
    created_at: datetime
    employee_id: str | None
    reported_by: str
    channel: str
    occurred_on: str | None
    status: str
    description: str


def ack(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(help="Mã xác nhận XXXX-XXXX / The code")],
    note: Annotated[str | None, typer.Option(help="Ghi chú, ví dụ 'qua điện thoại'")] = None,
) -> None:
    """Ghi nhận một mã xác nhận thay cán bộ. / Record an acknowledgement code for an official."""
    deps = state(ctx).deps
    with session(ctx) as s:
        result = acks.acknowledge(
            s,
            typed=code,
            how="admin",
            actor=actor(),
            now=deps.clock.now(),
            secret=deps.secret,
            zone=deps.settings.zone,
            note=note,
        )
    locale = state(ctx).locale
    what = i18n.t(f"ack.what_{result.what}", locale)
    say(ctx, "ack.recorded_cli", id=result.message_id, what=what, on=result.on)
    if result.accounts:
        say(ctx, "ack.done_accounts", items=", ".join(result.accounts))
    if result.advisories:
        say(ctx, "ack.done_advisories", items="; ".join(result.advisories))


@incidents_app.command("list")
def list_(
    ctx: typer.Context,
    status: Annotated[str | None, typer.Option(help="new | …")] = None,
    fmt: Annotated[OutputFormat, typer.Option("--format", "-f")] = OutputFormat.table,
) -> None:
    """Liệt kê báo cáo, mới nhất trước. / List reports, newest first."""
    with session(ctx) as s:
        rows = [_row(s, r) for r in incidents.list_reports(s, status=status)]
    if fmt is not OutputFormat.table:
        emit(ctx, rows, fmt, [*INCIDENT_COLUMNS, "reported_by", "description"])
        return
    if not rows:
        say(ctx, "incident.listed_none")
        return
    table = Table()
    for column in [*INCIDENT_COLUMNS, "description"]:
        table.add_column(column)
    for row in rows:
        data = row.model_dump()
        table.add_row(
            *(str(i18n.format_value(data[c]) or "") for c in INCIDENT_COLUMNS),
            row.description[:200],
        )
    Console(width=max(100, Console().width)).print(table)


def _row(s: Session, report: IncidentReport) -> IncidentRow:
    official = s.get(Official, report.official_id) if report.official_id else None
    return IncidentRow(
        id=row_id(report.id),
        created_at=report.created_at,
        employee_id=official.employee_id if official else None,
        reported_by=report.reported_by,
        channel=report.channel,
        status=report.status,
        description=report.description,
        occurred_on=i18n.format_date(report.occurred_on) if report.occurred_on else None,
    )


def _account(s: Session, official: Official, wanted: str) -> Account:
    query = select(Account).where(Account.official_id == official.id)
    if wanted.isdigit():
        query = query.where(col(Account.id) == int(wanted))
    else:
        query = query.where(col(Account.system) == wanted)
    found = s.exec(query).first()
    if found is None:
        raise NotFound(
            "portal.strength.no_account_cli", account=wanted, employee_id=official.employee_id
        )
    return found


def check_password(
    ctx: typer.Context,
    for_: Annotated[str | None, typer.Option("--for", help="Mã cán bộ / Employee id")] = None,
    account: Annotated[
        str | None, typer.Option(help="Lưu điểm cho tài khoản (id hoặc tên hệ thống)")
    ] = None,
) -> None:
    """Kiểm tra độ mạnh một mật khẩu mà không lưu nó. / Check a password's strength; never kept."""
    locale = state(ctx).locale
    candidate: str = typer.prompt(i18n.t("portal.strength.prompt", locale), hide_input=True)
    deps = state(ctx).deps
    with session(ctx) as s:
        official = None
        if for_:
            official = s.exec(select(Official).where(Official.employee_id == for_)).first()
            if official is None:
                raise NotFound("official.not_found", employee_id=for_)
        words = portal.personal_words(s, official) if official else []
        try:
            result = strength.evaluate(candidate, user_inputs=strength.personal_inputs(*words))
        except strength.TooLong:
            raise HygieneError("strength.too_long", max=strength.MAX_LENGTH) from None
        finally:
            del candidate
        if official is not None and account:
            target = _account(s, official, account)
            now = deps.clock.now()
            portal.record_strength(
                s,
                official_id=row_id(official.id),
                account_id=row_id(target.id),
                score=result.score,
                today=local_date(now, deps.settings.zone),
                now=now,
            )
            say(ctx, "portal.strength.saved", score=result.score, system=target.system)
    label = i18n.t(f"strength.score_{result.score}", locale)
    say(ctx, "portal.strength.result", label=label, score=result.score)
    say(ctx, "portal.strength.crack", time=result.crack_time(locale))
    for line in result.feedback(locale):
        typer.echo(f"- {line}")


def register(app: typer.Typer) -> None:
    app.command("ack")(ack)
    app.command("check-password")(check_password)
    app.add_typer(incidents_app, name="incidents")
