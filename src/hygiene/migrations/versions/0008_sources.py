"""directory sources: observed entries, sync runs, evidence columns on accounts

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_str = sqlmodel.sql.sqltypes.AutoString
_ts = sa.DateTime(timezone=True)

# The latest rotation acknowledgement of each account tells how its current date was declared.
_BACKFILL = """
UPDATE account SET rotation_source = (
    SELECT ack.how FROM acknowledgement ack
    WHERE ack.account_id = account.id AND ack.what = 'rotation'
      AND ack.acted_on = account.last_rotated_on
    ORDER BY ack.at DESC LIMIT 1)
WHERE last_rotated_on IS NOT NULL
"""


def upgrade() -> None:
    with op.batch_alter_table("account") as batch:
        batch.add_column(sa.Column("rotation_source", _str(length=48), nullable=True))
        batch.add_column(sa.Column("rotation_seen_at", _ts, nullable=True))
        batch.add_column(sa.Column("mfa_source", _str(length=48), nullable=True))
        batch.add_column(sa.Column("mfa_seen_at", _ts, nullable=True))
        batch.add_column(sa.Column("expires_on", sa.Date(), nullable=True))
        batch.add_column(sa.Column("inactive_reason", _str(length=100), nullable=True))
        batch.add_column(sa.Column("inactive_since", _ts, nullable=True))
    op.execute(_BACKFILL)
    op.create_table(
        "source_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", _str(length=32), nullable=False),
        sa.Column("match_key", _str(length=254), nullable=False),
        sa.Column("identity", _str(length=254), nullable=False),
        sa.Column("email", _str(length=254), nullable=True),
        sa.Column("changed_at", _ts, nullable=True),
        sa.Column("changed_on", sa.Date(), nullable=True),
        sa.Column("expires_on", sa.Date(), nullable=True),
        sa.Column("never_expires", sa.Boolean(), nullable=False),
        sa.Column("disabled", sa.Boolean(), nullable=True),
        sa.Column("mfa", sa.Boolean(), nullable=True),
        sa.Column("manager", _str(length=500), nullable=True),
        sa.Column("display_name", _str(length=200), nullable=True),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("seen_at", _ts, nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("source", "match_key", name="uq_source_entry_key"),
    )
    op.create_index("ix_source_entry_run_id", "source_entry", ["run_id"])
    op.create_table(
        "source_run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", _str(length=32), nullable=False),
        sa.Column("started_at", _ts, nullable=False),
        sa.Column("finished_at", _ts, nullable=True),
        sa.Column("outcome", _str(length=16), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("error_code", _str(length=64), nullable=True),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.Column("entries", sa.Integer(), nullable=False),
        sa.Column("matched", sa.Integer(), nullable=False),
        sa.Column("changed", sa.Integer(), nullable=False),
        sa.Column("changes_hash", _str(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_source_run_source_started", "source_run", ["source", "started_at"])


def downgrade() -> None:
    op.drop_table("source_run")
    op.drop_table("source_entry")
    with op.batch_alter_table("account") as batch:
        for name in (
            "inactive_since",
            "inactive_reason",
            "expires_on",
            "mfa_seen_at",
            "mfa_source",
            "rotation_seen_at",
            "rotation_source",
        ):
            batch.drop_column(name)
