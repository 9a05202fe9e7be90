"""consoles: the audience of an advisory (units)

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "advisory_unit",
        sa.Column("advisory_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["advisory_id"], ["advisory.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["unit_id"], ["unit.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("advisory_id", "unit_id"),
    )
    op.create_index("ix_advisory_unit_unit_id", "advisory_unit", ["unit_id"])


def downgrade() -> None:
    op.drop_index("ix_advisory_unit_unit_id", table_name="advisory_unit")
    op.drop_table("advisory_unit")
