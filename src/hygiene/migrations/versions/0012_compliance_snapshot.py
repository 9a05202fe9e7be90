"""compliance snapshots per unit and day; covering indexes for the figures and /metrics

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FIGURES = (
    "officials",
    "accounts",
    "overdue",
    "never_rotated",
    "mfa",
    "browser_saved",
    "officials_browser_saved",
    "browser_declared",
    "advisory_expected",
    "advisory_acked",
    "probe_officials",
    "probe_saved_logins",
)
REPORT_COLUMNS = [
    "official_id",
    "kind",
    "last_rotated_on",
    "mfa",
    "browser_saved",
    "created_at",
    "compromised_at",
    "expires_on",
    "inactive_reason",
]
ACK_COLUMNS = ["what", "official_id", "advisory_id", "at", "acted_on"]


def upgrade() -> None:
    op.create_table(
        "compliance_snapshot",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("taken_at", sa.DateTime(timezone=True), nullable=False),
        *(sa.Column(name, sa.Integer(), nullable=False) for name in FIGURES),
        sa.ForeignKeyConstraint(["unit_id"], ["unit.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("day", "unit_id"),
    )
    with op.batch_alter_table("account", schema=None) as batch_op:
        batch_op.create_index("ix_account_report", REPORT_COLUMNS, unique=False)
    with op.batch_alter_table("acknowledgement", schema=None) as batch_op:
        batch_op.create_index("ix_acknowledgement_report", ACK_COLUMNS, unique=False)
    with op.batch_alter_table("message", schema=None) as batch_op:
        batch_op.create_index(
            "ix_message_status_channel", ["status", "channel", "acknowledged_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("message", schema=None) as batch_op:
        batch_op.drop_index("ix_message_status_channel")
    with op.batch_alter_table("acknowledgement", schema=None) as batch_op:
        batch_op.drop_index("ix_acknowledgement_report")
    with op.batch_alter_table("account", schema=None) as batch_op:
        batch_op.drop_index("ix_account_report")
    op.drop_table("compliance_snapshot")
