"""messages to console users (security officers), display names, incident notes

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_str = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    with op.batch_alter_table("message", schema=None) as batch_op:
        batch_op.alter_column("official_id", existing_type=sa.Integer(), nullable=True)
        batch_op.add_column(sa.Column("user_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_message_user_id"), ["user_id"], unique=False)
        batch_op.create_foreign_key(
            "fk_message_user_id_console_user", "console_user", ["user_id"], ["id"],
            ondelete="CASCADE",
        )  # fmt: skip
    with op.batch_alter_table("console_user", schema=None) as batch_op:
        batch_op.add_column(sa.Column("display_name", _str(length=200), nullable=True))
        batch_op.add_column(
            sa.Column("locale", _str(length=5), nullable=False, server_default="vi")
        )
    with op.batch_alter_table("incident_report", schema=None) as batch_op:
        batch_op.add_column(sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "incident_note",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("author", _str(length=254), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["incident_id"], ["incident_report.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("incident_note", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_incident_note_incident_id"), ["incident_id"], unique=False
        )


def downgrade() -> None:
    op.drop_table("incident_note")
    with op.batch_alter_table("incident_report", schema=None) as batch_op:
        batch_op.drop_column("updated_at")
    with op.batch_alter_table("console_user", schema=None) as batch_op:
        batch_op.drop_column("locale")
        batch_op.drop_column("display_name")
    op.execute("DELETE FROM message WHERE official_id IS NULL")
    with op.batch_alter_table("message", schema=None) as batch_op:
        batch_op.drop_constraint("fk_message_user_id_console_user", type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_message_user_id"))
        batch_op.drop_column("user_id")
        batch_op.alter_column("official_id", existing_type=sa.Integer(), nullable=False)
