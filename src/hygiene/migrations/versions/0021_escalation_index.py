"""a partial index for escalations by unit and day (delivery reads them once per batch)

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-01

Every delivery batch holding an escalate-stage reminder reads the escalations planned in the
week before it for the reminders' units (outbox.lookup._recent_escalations). Without an index
that read scanned the whole outbox, once per batch: at district scale it grew with every
campaign ever planned.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_message_escalation",
        "message",
        ["subject_unit_id", "planned_on"],
        sqlite_where=sa.text("campaign = 'escalation'"),
        postgresql_where=sa.text("campaign = 'escalation'"),
    )


def downgrade() -> None:
    op.drop_index("ix_message_escalation", table_name="message")
