"""`hygiene backup`: back up the database, or check a SQLite backup with `--verify`.

Exit codes follow the other commands: 0 ok, 1 refused / failed, 3 the backup's audit chain is
broken (as `hygiene audit verify`).
"""

from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy.engine import make_url

from hygiene import backup as backups
from hygiene import i18n
from hygiene.cli.common import say, state
from hygiene.errors import HygieneError, InvalidInput
from hygiene.settings import Settings

OutputOption = Annotated[
    Path | None,
    typer.Option(
        "-o",
        "--output",
        help="Tệp đích (mặc định <data_dir>/backups/hygiene-YYYYmmdd-HHMMSS.db) "
        "/ Target file (default under <data_dir>/backups/)",
    ),
]
VerifyOption = Annotated[
    Path | None,
    typer.Option(
        "--verify",
        help="Kiểm tra một bản sao lưu SQLite thay vì tạo mới / Check a SQLite backup instead",
    ),
]


def backup(ctx: typer.Context, output: OutputOption = None, verify: VerifyOption = None) -> None:
    """Sao lưu cơ sở dữ liệu khi dịch vụ đang chạy. / Back up the database, even while it runs.

    SQLite: sao lưu trực tuyến của sqlite3. PostgreSQL: pg_dump --format=custom (khôi phục bằng
    pg_restore). / SQLite: sqlite3 online backup. PostgreSQL: pg_dump --format=custom (restore
    with pg_restore).
    """
    if output is not None and verify is not None:
        raise InvalidInput("ops.backup.both")
    if verify is not None:
        _verify(ctx, verify)
        return
    settings = state(ctx).settings
    postgres = make_url(settings.db_url).get_backend_name() == "postgresql"
    now = state(ctx).deps.clock.now()
    target = output or backups.default_path(settings, now, postgres=postgres)
    result = backups.backup(settings, target=target, now=now)
    say(ctx, "ops.backup.done", backend=result.backend, path=str(result.path), size=result.size)
    if result.mark is not None:
        mark = result.mark
        say(ctx, "restore.marked", taken_at=mark.taken_at.astimezone(settings.zone),
            seq=mark.seq, waiting=mark.waiting)  # fmt: skip
    else:
        say(ctx, "restore.not_marked", err=True)
    say(ctx, "ops.backup.key_reminder", key=_key_location(settings, state(ctx).locale))


def _key_location(settings: Settings, locale: str) -> str:
    if settings.secret_key is not None:
        return i18n.t("ops.backup.key_in_env", locale)
    return str(settings.secret_key_file or settings.data_dir / "secret.key")


def _verify(ctx: typer.Context, path: Path) -> None:
    if path.suffix == ".dump":
        raise HygieneError("ops.backup.verify_postgres")
    deps = state(ctx).deps
    check = backups.verify_sqlite(
        path, key=deps.audit_key, most=deps.settings.security.verify_workers
    )
    locale = state(ctx).locale
    if check.integrity == "ok":
        say(ctx, "ops.verify.integrity_ok")
    else:
        say(ctx, "ops.verify.integrity_bad", err=True, detail=check.integrity)
    say(ctx, "ops.verify.revision", revision=check.revision or i18n.t("ops.verify.none", locale))
    for table, count in sorted(check.tables.items()):
        say(ctx, "ops.verify.rows", table=table, count=count)
    chain = check.audit
    if chain.ok:
        say(ctx, "audit.ok", count=chain.count, head=chain.head_hash)
    else:
        reason = i18n.t(f"audit.reason.{chain.reason}", locale)
        say(
            ctx, "audit.broken", err=True, seq=chain.first_bad_seq, reason=reason, count=chain.count
        )
        raise typer.Exit(3)
    if check.integrity != "ok":
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.command("backup")(backup)
