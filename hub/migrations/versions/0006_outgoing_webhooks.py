"""outgoing webhooks

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25 04:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "outgoing_webhooks",
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("token", sa.String(length=26), nullable=False),
        sa.Column("create_at", sa.BigInteger(), nullable=False),
        sa.Column("update_at", sa.BigInteger(), nullable=False),
        sa.Column("delete_at", sa.BigInteger(), nullable=False),
        sa.Column("creator_id", sa.String(length=26), nullable=False),
        sa.Column("channel_id", sa.String(length=26), nullable=False),
        sa.Column("team_id", sa.String(length=26), nullable=False),
        sa.Column("trigger_words", sa.JSON(), nullable=False),
        sa.Column("trigger_when", sa.Integer(), nullable=False),
        sa.Column("callback_urls", sa.JSON(), nullable=False),
        sa.Column("display_name", sa.String(length=64), nullable=False),
        sa.Column("description", sa.String(length=500), nullable=False),
        sa.Column("content_type", sa.String(length=128), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("icon_url", sa.String(length=1024), nullable=False),
        sa.Column("consecutive_failures", sa.Integer(), nullable=False),
        sa.Column("disabled_reason", sa.String(length=255), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("outgoing_webhooks", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_outgoing_webhooks_channel_id"), ["channel_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_outgoing_webhooks_team_id"), ["team_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("outgoing_webhooks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outgoing_webhooks_team_id"))
        batch_op.drop_index(batch_op.f("ix_outgoing_webhooks_channel_id"))
    op.drop_table("outgoing_webhooks")
