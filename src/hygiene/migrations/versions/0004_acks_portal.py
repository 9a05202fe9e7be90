"""acknowledgements, incident reports and portal sign-in codes

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_str = sqlmodel.sql.sqltypes.AutoString
_ACK_INDEXES = ("what", "official_id", "at", "message_id", "advisory_id", "account_id")


def upgrade() -> None:
    op.create_table(
        "acknowledgement",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("what", _str(length=16), nullable=False),
        sa.Column("how", _str(length=8), nullable=False),
        sa.Column("official_id", sa.Integer(), nullable=False),
        sa.Column("actor", _str(length=200), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("acted_on", sa.Date(), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=True),
        sa.Column("advisory_id", sa.Integer(), nullable=True),
        sa.Column("account_id", sa.Integer(), nullable=True),
        sa.Column("note", _str(length=500), nullable=True),
        sa.ForeignKeyConstraint(["official_id"], ["official.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["message_id"], ["message.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["advisory_id"], ["advisory.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["account_id"], ["account.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    for column in _ACK_INDEXES:
        op.create_index(f"ix_acknowledgement_{column}", "acknowledgement", [column])
    op.create_table(
        "incident_report",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("official_id", sa.Integer(), nullable=True),
        sa.Column("reported_by", _str(length=200), nullable=False),
        sa.Column("channel", _str(length=16), nullable=False),
        sa.Column("occurred_on", sa.Date(), nullable=True),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("status", _str(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["official_id"], ["official.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_incident_report_official_id", "incident_report", ["official_id"])
    op.create_index("ix_incident_report_created_at", "incident_report", ["created_at"])
    op.create_table(
        "portal_code",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("official_id", sa.Integer(), nullable=False),
        sa.Column("code_hmac", _str(length=64), nullable=False),
        sa.Column("channel", _str(length=32), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["official_id"], ["official.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_portal_code_official_id", "portal_code", ["official_id"])


def downgrade() -> None:
    op.drop_index("ix_portal_code_official_id", table_name="portal_code")
    op.drop_table("portal_code")
    op.drop_index("ix_incident_report_created_at", table_name="incident_report")
    op.drop_index("ix_incident_report_official_id", table_name="incident_report")
    op.drop_table("incident_report")
    for column in reversed(_ACK_INDEXES):
        op.drop_index(f"ix_acknowledgement_{column}", table_name="acknowledgement")
    op.drop_table("acknowledgement")
