"""`hygiene db …`: schema migrations."""

import typer

from hygiene import db
from hygiene.cli.common import say, state

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


def register(app: typer.Typer) -> None:
    app.add_typer(db_app, name="db")
