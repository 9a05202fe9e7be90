"""exposures: leaked-credential lists and the accounts they matched

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_str = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    op.create_table(
        "exposure",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", _str(length=200), nullable=False),
        sa.Column("reference", _str(length=200), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", _str(length=200), nullable=False),
        sa.Column("file_sha256", _str(length=64), nullable=False),
        sa.Column("entries", sa.Integer(), nullable=False),
        sa.Column("matched", sa.Integer(), nullable=False),
        sa.Column("unmatched", sa.Integer(), nullable=False),
        sa.Column("accounts", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_exposure_imported_at", "exposure", ["imported_at"])
    op.create_table(
        "exposure_match",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("exposure_id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("matched_on", _str(length=8), nullable=False),
        sa.Column("shown", _str(length=40), nullable=False),
        sa.ForeignKeyConstraint(["exposure_id"], ["exposure.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["account_id"], ["account.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("exposure_id", "account_id", name="uq_exposure_account"),
    )
    op.create_index("ix_exposure_match_exposure_id", "exposure_match", ["exposure_id"])
    op.create_index("ix_exposure_match_account_id", "exposure_match", ["account_id"])


def downgrade() -> None:
    op.drop_table("exposure_match")
    op.drop_table("exposure")
