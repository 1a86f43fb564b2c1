"""incoming webhooks

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 00:40:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "incoming_webhooks",
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("create_at", sa.BigInteger(), nullable=False),
        sa.Column("update_at", sa.BigInteger(), nullable=False),
        sa.Column("delete_at", sa.BigInteger(), nullable=False),
        sa.Column("user_id", sa.String(length=26), nullable=False),
        sa.Column("channel_id", sa.String(length=26), nullable=False),
        sa.Column("team_id", sa.String(length=26), nullable=False),
        sa.Column("display_name", sa.String(length=64), nullable=False),
        sa.Column("description", sa.String(length=500), nullable=False),
        sa.Column("username", sa.String(length=255), nullable=False),
        sa.Column("icon_url", sa.String(length=1024), nullable=False),
        sa.Column("channel_locked", sa.Boolean(), nullable=False),
        sa.Column("adapter", sa.String(length=32), nullable=False),
        sa.Column("secret", sa.String(length=255), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("incoming_webhooks", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_incoming_webhooks_team_id"), ["team_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("incoming_webhooks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_incoming_webhooks_team_id"))
    op.drop_table("incoming_webhooks")
