"""`hygiene db …`: schema migrations."""

import typer

from hygiene import db
from hygiene.cli.common import say, state

db_app = typer.Typer(no_args_is_help=True, help="Cơ sở dữ liệu / Database schema.")


@db_app.command("upgrade")
def upgrade(ctx: typer.Context) -> None:
    """Nâng cấp lược đồ lên phiên bản mới nhất. / Migrate the schema to the latest revision."""
    engine = state(ctx).deps.engine
    db.upgrade(engine)
    say(ctx, "db.upgraded", revision=db.current_revision(engine))


def register(app: typer.Typer) -> None:
    app.add_typer(db_app, name="db")
