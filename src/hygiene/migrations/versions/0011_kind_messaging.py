"""account kind zalo becomes messaging (Zalo, Messenger, Telegram, Viber…)

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute("UPDATE account SET kind = 'messaging' WHERE kind = 'zalo'")


def downgrade() -> None:
    # Only the Zalo accounts were "zalo" before: other messaging apps stay "messaging".
    op.execute("UPDATE account SET kind = 'zalo' WHERE kind = 'messaging' AND system = 'Zalo'")
