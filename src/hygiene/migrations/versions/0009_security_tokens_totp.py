"""sealed TOTP seeds with their last used step, API token expiry

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_str = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    with op.batch_alter_table("console_user", schema=None) as batch_op:
        batch_op.alter_column("totp_secret", existing_type=_str(length=64), type_=_str(length=255))
        batch_op.add_column(sa.Column("totp_last_step", sa.BigInteger(), nullable=True))
    with op.batch_alter_table("api_token", schema=None) as batch_op:
        batch_op.add_column(sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("api_token", schema=None) as batch_op:
        batch_op.drop_column("expires_at")
    with op.batch_alter_table("console_user", schema=None) as batch_op:
        batch_op.drop_column("totp_last_step")
        batch_op.alter_column("totp_secret", existing_type=_str(length=255), type_=_str(length=64))
