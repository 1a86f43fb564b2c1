"""sealed post actions, opened interactive dialogs, server secrets

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-25 06:00:00.000000
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

ExactKey = sa.String(32).with_variant(mysql.VARCHAR(32, collation="utf8mb4_bin"), "mysql", "mariadb")


def upgrade() -> None:
    op.create_table(
        "post_actions",
        sa.Column("post_id", sa.String(length=26), nullable=False),
        sa.Column("action_id", ExactKey, nullable=False),
        sa.Column("type", sa.String(length=16), nullable=False),
        sa.Column("data_source", sa.String(length=16), nullable=False),
        sa.Column("url", sa.String(length=1024), nullable=False),
        sa.Column("context", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("post_id", "action_id"),
    )
    op.create_table(
        "interactive_dialogs",
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("create_at", sa.BigInteger(), nullable=False),
        sa.Column("user_id", sa.String(length=26), nullable=False),
        sa.Column("url", sa.String(length=1024), nullable=False),
        sa.Column("dialog", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("interactive_dialogs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_interactive_dialogs_user_id"), ["user_id"], unique=False)
    op.create_table(
        "server_secrets",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("value", sa.String(length=128), nullable=False),
        sa.Column("create_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )


def downgrade() -> None:
    op.drop_table("server_secrets")
    with op.batch_alter_table("interactive_dialogs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_interactive_dialogs_user_id"))
    op.drop_table("interactive_dialogs")
    op.drop_table("post_actions")
