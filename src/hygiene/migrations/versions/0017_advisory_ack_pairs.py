"""advisory_ack: one row per (official, advisory) acknowledged, kept by a trigger on insert

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-01

The compliance figures count advisory acknowledgements once per official and advisory. Making
~600,000 acknowledgements distinct on every request cost seconds (on PostgreSQL the hash spilled
to disk); the pairs are now kept on write, in the same transaction as the acknowledgement, by
a trigger, whatever inserts it. The pair keeps the earliest acknowledgement's time, so "acknowledged
before the report day's end" is the same test as before.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_PAIR = (
    "INSERT INTO advisory_ack (official_id, advisory_id, at)"
    " VALUES (NEW.official_id, NEW.advisory_id, NEW.at)"
    " ON CONFLICT (official_id, advisory_id) DO UPDATE SET at = {earliest}"
)


def upgrade() -> None:
    op.create_table(
        "advisory_ack",
        sa.Column("official_id", sa.Integer(), nullable=False),
        sa.Column("advisory_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["advisory_id"], ["advisory.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["official_id"], ["official.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("official_id", "advisory_id"),
    )
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "CREATE TRIGGER acknowledgement_advisory_pair AFTER INSERT ON acknowledgement"
            " WHEN NEW.what = 'advisory' AND NEW.advisory_id IS NOT NULL BEGIN "
            + _PAIR.format(earliest="min(advisory_ack.at, excluded.at)")
            + "; END"
        )
    else:
        op.execute(
            "CREATE FUNCTION acknowledgement_advisory_pair() RETURNS trigger LANGUAGE plpgsql AS"
            " $$ BEGIN IF NEW.what = 'advisory' AND NEW.advisory_id IS NOT NULL THEN "
            + _PAIR.format(earliest="LEAST(advisory_ack.at, EXCLUDED.at)")
            + "; END IF; RETURN NULL; END $$"
        )
        op.execute(
            "CREATE TRIGGER acknowledgement_advisory_pair AFTER INSERT ON acknowledgement"
            " FOR EACH ROW EXECUTE FUNCTION acknowledgement_advisory_pair()"
        )
    op.execute(
        "INSERT INTO advisory_ack (official_id, advisory_id, at)"
        " SELECT official_id, advisory_id, min(at) FROM acknowledgement"
        " WHERE what = 'advisory' AND advisory_id IS NOT NULL GROUP BY official_id, advisory_id"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS acknowledgement_advisory_pair")
    else:
        op.execute("DROP TRIGGER IF EXISTS acknowledgement_advisory_pair ON acknowledgement")
        op.execute("DROP FUNCTION IF EXISTS acknowledgement_advisory_pair()")
    op.drop_table("advisory_ack")
