"""`hygiene db …`: schema migrations."""

import typer

from hygiene import db
from hygiene.audit import service as audit
from hygiene.cli.common import actor, say, session, state
from hygiene.users import service as users

db_app = typer.Typer(no_args_is_help=True, help="Cơ sở dữ liệu / Database schema.")


@db_app.command("upgrade")
def upgrade(ctx: typer.Context) -> None:
    """Nâng cấp lược đồ lên phiên bản mới nhất. / Migrate the schema to the latest revision."""
    engine = state(ctx).deps.engine
    before = db.current_revision(engine)
    db.upgrade(engine)
    after = db.current_revision(engine)
    if before is None:
        say(ctx, "db.created", revision=after)
    elif before == after:
        say(ctx, "db.already", revision=after)
    else:
        say(ctx, "db.upgraded_from", before=before, after=after)
    _seal_plaintext_totp(ctx)


def _seal_plaintext_totp(ctx: typer.Context) -> None:
    """Releases before sealing stored TOTP seeds in clear: seal them with the service secret."""
    deps = state(ctx).deps
    with session(ctx) as s:
        sealed = users.reseal_plaintext_totp(s, secret=deps.secret)
        if sealed:
            audit.append(
                s, key=deps.audit_key, now=deps.clock.now(), actor=actor(),
                action="users.totp_sealed", subject="console_user", data={"count": sealed},
            )  # fmt: skip
    if sealed:
        say(ctx, "db.totp_sealed", count=sealed)


def register(app: typer.Typer) -> None:
    app.add_typer(db_app, name="db")
