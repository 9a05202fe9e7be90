"""the audit chain's head in its own row (O(1) appends)

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_str = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("hash", _str(length=64), nullable=False),
        sa.CheckConstraint("id = 1", name="ck_audit_head_single_row"),
        sa.PrimaryKeyConstraint("id"),
    )
    # The head of an existing log, read once here (by primary key, newest first).
    op.execute(
        "INSERT INTO audit_head (id, seq, hash) "
        "SELECT 1, seq, hash FROM audit_event ORDER BY seq DESC LIMIT 1"
    )


def downgrade() -> None:
    op.drop_table("audit_head")
