"""incoming webhook filters, posts made through hooks, outcomes, post priority

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25 02:00:00.000000
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

LongExactKey = sa.String(255).with_variant(mysql.VARCHAR(255, collation="utf8mb4_bin"), "mysql", "mariadb")


def upgrade() -> None:
    with op.batch_alter_table("incoming_webhooks", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("event_filter", sa.JSON(), nullable=False, server_default=sa.text("'{}'"))
        )
        batch_op.add_column(
            sa.Column("last_unhandled_event", sa.String(length=255), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("last_unhandled_at", sa.BigInteger(), nullable=False, server_default="0")
        )
        batch_op.add_column(
            sa.Column("unhandled_events", sa.JSON(), nullable=False, server_default=sa.text("'[]'"))
        )
    op.create_table(
        "incoming_webhook_posts",
        sa.Column("post_id", sa.String(length=26), nullable=False),
        sa.Column("hook_id", sa.String(length=26), nullable=False),
        sa.Column("delivery_key", LongExactKey, nullable=True),
        sa.Column("create_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("post_id"),
        sa.UniqueConstraint("hook_id", "delivery_key", name="uq_incoming_webhook_posts_delivery"),
    )
    op.create_table(
        "incoming_webhook_outcomes",
        sa.Column("hook_id", sa.String(length=26), nullable=False),
        sa.Column("subject", LongExactKey, nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("update_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("hook_id", "subject"),
    )
    op.create_table(
        "posts_priority",
        sa.Column("post_id", sa.String(length=26), nullable=False),
        sa.Column("channel_id", sa.String(length=26), nullable=False),
        sa.Column("priority", sa.String(length=32), nullable=False),
        sa.Column("requested_ack", sa.Boolean(), nullable=False),
        sa.Column("persistent_notifications", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("post_id"),
    )


def downgrade() -> None:
    op.drop_table("posts_priority")
    op.drop_table("incoming_webhook_outcomes")
    op.drop_table("incoming_webhook_posts")
    with op.batch_alter_table("incoming_webhooks", schema=None) as batch_op:
        batch_op.drop_column("unhandled_events")
        batch_op.drop_column("last_unhandled_at")
        batch_op.drop_column("last_unhandled_event")
        batch_op.drop_column("event_filter")
