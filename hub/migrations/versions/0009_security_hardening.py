"""security hardening: login failures that expire, failures of unknown login ids, integration signing secrets

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 19:30:00.000000
"""

import secrets

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

LongExactKey = sa.String(255).with_variant(mysql.VARCHAR(255, collation="utf8mb4_bin"), "mysql", "mariadb")


def upgrade() -> None:
    # accounts
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("last_failed_attempt_at", sa.BigInteger(), nullable=False, server_default="0")
        )
    op.create_table(
        "unknown_login_failures",
        sa.Column("login_id", LongExactKey, nullable=False),
        sa.Column("failed_attempts", sa.Integer(), nullable=False),
        sa.Column("last_failed_attempt_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("login_id"),
    )
    with op.batch_alter_table("unknown_login_failures", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_unknown_login_failures_last_failed_attempt_at"),
            ["last_failed_attempt_at"],
            unique=False,
        )
    # integration signing secrets
    for table_name in ("outgoing_webhooks", "commands"):
        with op.batch_alter_table(table_name, schema=None) as batch_op:
            batch_op.add_column(sa.Column("signing_secret", sa.String(length=64), nullable=True))
        # Each existing hook and command gets a key of its own (32 random bytes in hex, as
        # hub.security.new_signing_secret makes them) before the column becomes NOT NULL.
        table = sa.table(table_name, sa.column("id", sa.String), sa.column("signing_secret", sa.String))
        connection = op.get_bind()
        for (row_id,) in connection.execute(sa.select(table.c.id)).all():
            connection.execute(
                table.update().where(table.c.id == row_id).values(signing_secret=secrets.token_hex(32))
            )
        with op.batch_alter_table(table_name, schema=None) as batch_op:
            batch_op.alter_column("signing_secret", existing_type=sa.String(length=64), nullable=False)


def downgrade() -> None:
    # integration signing secrets
    for table_name in ("commands", "outgoing_webhooks"):
        with op.batch_alter_table(table_name, schema=None) as batch_op:
            batch_op.drop_column("signing_secret")
    # accounts
    with op.batch_alter_table("unknown_login_failures", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_unknown_login_failures_last_failed_attempt_at"))
    op.drop_table("unknown_login_failures")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("last_failed_attempt_at")
