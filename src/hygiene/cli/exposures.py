"""`hygiene exposures …`: import a leaked-identifier list from the police or a CERT, and list
what earlier imports matched. Identifiers are shown masked; unmatched ones are never stored."""

from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer
from sqlmodel import col, select

from hygiene.cli.common import actor, say, session, state, unreadable
from hygiene.cli.output import print_table
from hygiene.db import row_id
from hygiene.errors import NotFound
from hygiene.exposures import queries
from hygiene.exposures import service as exposures
from hygiene.inventory.models import Account, Official

exposures_app = typer.Typer(
    no_args_is_help=True,
    help="Danh sách tài khoản bị lộ (từ công an, CERT) / Leaked-credential lists.",
)
LIST_COLUMNS = (
    *("id", "imported_at", "source", "reference", "entries", "matched", "unmatched"),
    *("accounts", "open", "rotated"),
)
MATCH_COLUMNS = ("employee_id", "full_name", "unit", "system", "shown", "matched_on", "status")
MATCH_CODES = {"matched_on": "exposure_match", "status": "exposure_status"}


ListFileArgument = Annotated[
    Path, typer.Argument(help="CSV hoặc mỗi dòng một định danh / CSV or lines")
]
ListSourceOption = Annotated[
    str,
    typer.Option(
        help="Nơi gửi, ví dụ «Công an tỉnh Lai Châu» / Who sent it, e.g. the provincial police"
    ),
]
ListReferenceOption = Annotated[str, typer.Option(help="Số văn bản kèm theo / Its reference")]


@exposures_app.command("import")
def import_(
    ctx: typer.Context,
    file: ListFileArgument,
    source: ListSourceOption,
    reference: ListReferenceOption,
) -> None:
    """Nhập danh sách bị lộ: tài khoản khớp phải đổi mật khẩu ngay. / Import a leaked list."""
    try:
        data = file.read_bytes()
    except OSError as exc:
        raise unreadable(exc) from None
    deps = state(ctx).deps
    with session(ctx) as s:
        result = exposures.import_list(
            s,
            data=data,
            source=source,
            reference=reference,
            settings=deps.settings,
            now=deps.clock.now(),
            audit_key=deps.audit_key,
            actor=actor(),
        )
    say(
        ctx,
        "exposures.imported",
        source=source.strip(),
        reference=reference.strip(),
        id=result.exposure_id,
        entries=result.entries,
        matched=result.matched,
        unmatched=result.unmatched,
        accounts=result.accounts,
        officials=result.officials,
        planned=result.planned,
    )


@exposures_app.command("flag")
def flag(
    ctx: typer.Context,
    employee_id: Annotated[str, typer.Argument(help="Mã cán bộ / Employee id")],
    system: Annotated[str, typer.Option(help="Tên hệ thống của tài khoản / The account's system")],
    source: Annotated[
        str,
        typer.Option(
            help="Căn cứ, ví dụ «Công an huyện gọi điện» / Grounds, e.g. a call from the police"
        ),
    ],
    reference: Annotated[str, typer.Option(help="Số văn bản, số phiếu / Its reference")],
) -> None:
    """Đánh dấu một tài khoản bị lộ: phải đổi mật khẩu ngay. / Flag one account compromised."""
    deps = state(ctx).deps
    with session(ctx) as s:
        account = s.exec(
            select(Account)
            .join(Official, col(Official.id) == col(Account.official_id))
            .where(col(Official.employee_id) == employee_id, col(Account.system) == system)
        ).first()
        if account is None:
            raise NotFound("exposures.no_such_account", employee_id=employee_id, system=system)
        result = exposures.flag_account(
            s, account_id=row_id(account.id), source=source, reference=reference,
            settings=deps.settings, now=deps.clock.now(), audit_key=deps.audit_key, actor=actor(),
        )  # fmt: skip
    say(ctx, "exposures.flagged", system=system, employee_id=employee_id, source=source.strip(),
        reference=reference.strip(), planned=result.planned)  # fmt: skip


@exposures_app.command("list")
def list_(
    ctx: typer.Context,
    exposure: Annotated[
        int | None,
        typer.Argument(help="Số danh sách: các tài khoản khớp / List number: its matched accounts"),
    ] = None,
) -> None:
    """Các danh sách đã nhập, hoặc tài khoản khớp của một danh sách. / Imports, or one's matches."""
    deps = state(ctx).deps
    with session(ctx) as s:
        if exposure is not None:
            found = queries.matches(s, exposure_id=exposure, settings=deps.settings)
            rows = [asdict(m) for m in found]
            print_table(ctx, rows, MATCH_COLUMNS, headers="exposures.col", codes=MATCH_CODES,
                        optional=("unit", "matched_on"))  # fmt: skip
            return
        listed = queries.list_exposures(s, settings=deps.settings, now=deps.clock.now())
    rows = [asdict(e) for e in listed]
    print_table(ctx, rows, LIST_COLUMNS, headers="exposures.col", empty="exposures.none",
                optional=("unmatched", "entries"))  # fmt: skip


def register(app: typer.Typer) -> None:
    app.add_typer(exposures_app, name="exposures")
