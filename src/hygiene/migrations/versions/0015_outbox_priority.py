"""the outbox's urgent lane: a priority per message, and a partial index for urgent rows

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("message") as batch:
        batch.add_column(
            sa.Column("priority", sa.Integer(), server_default=sa.text("0"), nullable=False)
        )
    op.create_index(
        "ix_message_urgent",
        "message",
        ["status", "next_attempt_at"],
        sqlite_where=sa.text("priority > 0"),
        postgresql_where=sa.text("priority > 0"),
    )


def downgrade() -> None:
    op.drop_index("ix_message_urgent", table_name="message")
    with op.batch_alter_table("message") as batch:
        batch.drop_column("priority")
