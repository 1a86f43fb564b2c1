"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-24 22:33:26.786306
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

# Case-sensitive keys on MySQL/MariaDB too (their default collation ignores case).
ExactKey = sa.String(32).with_variant(mysql.VARCHAR(32, collation="utf8mb4_bin"), "mysql", "mariadb")


revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "channel_members",
        sa.Column("channel_id", sa.String(length=26), nullable=False),
        sa.Column("user_id", sa.String(length=26), nullable=False),
        sa.Column("roles", sa.String(length=256), nullable=False),
        sa.Column("scheme_user", sa.Boolean(), nullable=False),
        sa.Column("scheme_admin", sa.Boolean(), nullable=False),
        sa.Column("last_viewed_at", sa.BigInteger(), nullable=False),
        sa.Column("msg_count", sa.BigInteger(), nullable=False),
        sa.Column("msg_count_root", sa.BigInteger(), nullable=False),
        sa.Column("mention_count", sa.BigInteger(), nullable=False),
        sa.Column("mention_count_root", sa.BigInteger(), nullable=False),
        sa.Column("urgent_mention_count", sa.BigInteger(), nullable=False),
        sa.Column("notify_props", sa.JSON(), nullable=False),
        sa.Column("last_update_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("channel_id", "user_id"),
    )
    with op.batch_alter_table("channel_members", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_channel_members_user_id"), ["user_id"], unique=False)

    op.create_table(
        "channels",
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("create_at", sa.BigInteger(), nullable=False),
        sa.Column("update_at", sa.BigInteger(), nullable=False),
        sa.Column("delete_at", sa.BigInteger(), nullable=False),
        sa.Column("team_id", sa.String(length=26), nullable=False),
        sa.Column("type", sa.String(length=1), nullable=False),
        sa.Column("display_name", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("header", sa.String(length=1024), nullable=False),
        sa.Column("purpose", sa.String(length=250), nullable=False),
        sa.Column("last_post_at", sa.BigInteger(), nullable=False),
        sa.Column("last_root_post_at", sa.BigInteger(), nullable=False),
        sa.Column("total_msg_count", sa.BigInteger(), nullable=False),
        sa.Column("total_msg_count_root", sa.BigInteger(), nullable=False),
        sa.Column("extra_update_at", sa.BigInteger(), nullable=False),
        sa.Column("creator_id", sa.String(length=26), nullable=False),
        sa.Column("props", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name", "team_id", name="uq_channels_name_team"),
    )
    with op.batch_alter_table("channels", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_channels_team_id"), ["team_id"], unique=False)

    op.create_table(
        "file_infos",
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("user_id", sa.String(length=26), nullable=False),
        sa.Column("post_id", sa.String(length=26), nullable=False),
        sa.Column("channel_id", sa.String(length=26), nullable=False),
        sa.Column("create_at", sa.BigInteger(), nullable=False),
        sa.Column("update_at", sa.BigInteger(), nullable=False),
        sa.Column("delete_at", sa.BigInteger(), nullable=False),
        sa.Column("path", sa.String(length=512), nullable=False),
        sa.Column("thumbnail_path", sa.String(length=512), nullable=False),
        sa.Column("preview_path", sa.String(length=512), nullable=False),
        sa.Column("name", sa.String(length=256), nullable=False),
        sa.Column("extension", sa.String(length=64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("mime_type", sa.String(length=256), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("has_preview_image", sa.Boolean(), nullable=False),
        sa.Column("mini_preview", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("file_infos", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_file_infos_post_id"), ["post_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_file_infos_user_id"), ["user_id"], unique=False)

    op.create_table(
        "posts",
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("create_at", sa.BigInteger(), nullable=False),
        sa.Column("update_at", sa.BigInteger(), nullable=False),
        sa.Column("edit_at", sa.BigInteger(), nullable=False),
        sa.Column("delete_at", sa.BigInteger(), nullable=False),
        sa.Column("is_pinned", sa.Boolean(), nullable=False),
        sa.Column("user_id", sa.String(length=26), nullable=False),
        sa.Column("channel_id", sa.String(length=26), nullable=False),
        sa.Column("root_id", sa.String(length=26), nullable=False),
        sa.Column("original_id", sa.String(length=26), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("type", sa.String(length=64), nullable=False),
        sa.Column("props", sa.JSON(), nullable=False),
        sa.Column("hashtags", sa.String(length=1000), nullable=False),
        sa.Column("file_ids", sa.JSON(), nullable=False),
        sa.Column("pending_post_id", sa.String(length=64), nullable=False),
        sa.Column("reply_count", sa.BigInteger(), nullable=False),
        sa.Column("last_reply_at", sa.BigInteger(), nullable=False),
        sa.Column("has_reactions", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("posts", schema=None) as batch_op:
        batch_op.create_index("ix_posts_channel_create", ["channel_id", "create_at"], unique=False)
        batch_op.create_index("ix_posts_root_create", ["root_id", "create_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_posts_user_id"), ["user_id"], unique=False)

    op.create_table(
        "preferences",
        sa.Column("user_id", sa.String(length=26), nullable=False),
        sa.Column("category", ExactKey, nullable=False),
        sa.Column("name", ExactKey, nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("user_id", "category", "name"),
    )
    op.create_table(
        "reactions",
        sa.Column("post_id", sa.String(length=26), nullable=False),
        sa.Column("user_id", sa.String(length=26), nullable=False),
        sa.Column("emoji_name", sa.String(length=64), nullable=False),
        sa.Column("channel_id", sa.String(length=26), nullable=False),
        sa.Column("create_at", sa.BigInteger(), nullable=False),
        sa.Column("update_at", sa.BigInteger(), nullable=False),
        sa.Column("delete_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("post_id", "user_id", "emoji_name"),
    )
    op.create_table(
        "sessions",
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("create_at", sa.BigInteger(), nullable=False),
        sa.Column("expires_at", sa.BigInteger(), nullable=False),
        sa.Column("last_activity_at", sa.BigInteger(), nullable=False),
        sa.Column("user_id", sa.String(length=26), nullable=False),
        sa.Column("device_id", sa.String(length=512), nullable=False),
        sa.Column("roles", sa.String(length=256), nullable=False),
        sa.Column("is_oauth", sa.Boolean(), nullable=False),
        sa.Column("props", sa.JSON(), nullable=False),
        sa.Column("access_token_id", sa.String(length=26), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    with op.batch_alter_table("sessions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sessions_access_token_id"), ["access_token_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_sessions_user_id"), ["user_id"], unique=False)

    op.create_table(
        "statuses",
        sa.Column("user_id", sa.String(length=26), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("manual", sa.Boolean(), nullable=False),
        sa.Column("last_activity_at", sa.BigInteger(), nullable=False),
        sa.Column("dnd_end_time", sa.BigInteger(), nullable=False),
        sa.Column("prev_status", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("user_id"),
    )
    op.create_table(
        "team_members",
        sa.Column("team_id", sa.String(length=26), nullable=False),
        sa.Column("user_id", sa.String(length=26), nullable=False),
        sa.Column("roles", sa.String(length=256), nullable=False),
        sa.Column("scheme_user", sa.Boolean(), nullable=False),
        sa.Column("scheme_admin", sa.Boolean(), nullable=False),
        sa.Column("delete_at", sa.BigInteger(), nullable=False),
        sa.Column("create_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("team_id", "user_id"),
    )
    with op.batch_alter_table("team_members", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_team_members_user_id"), ["user_id"], unique=False)

    op.create_table(
        "teams",
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("create_at", sa.BigInteger(), nullable=False),
        sa.Column("update_at", sa.BigInteger(), nullable=False),
        sa.Column("delete_at", sa.BigInteger(), nullable=False),
        sa.Column("display_name", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("description", sa.String(length=255), nullable=False),
        sa.Column("email", sa.String(length=128), nullable=False),
        sa.Column("type", sa.String(length=1), nullable=False),
        sa.Column("company_name", sa.String(length=64), nullable=False),
        sa.Column("allowed_domains", sa.String(length=1000), nullable=False),
        sa.Column("invite_id", sa.String(length=32), nullable=False),
        sa.Column("allow_open_invite", sa.Boolean(), nullable=False),
        sa.Column("last_team_icon_update", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    op.create_table(
        "user_access_tokens",
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.String(length=26), nullable=False),
        sa.Column("description", sa.String(length=512), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("create_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    with op.batch_alter_table("user_access_tokens", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_user_access_tokens_user_id"), ["user_id"], unique=False)

    op.create_table(
        "users",
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("create_at", sa.BigInteger(), nullable=False),
        sa.Column("update_at", sa.BigInteger(), nullable=False),
        sa.Column("delete_at", sa.BigInteger(), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("password", sa.String(length=255), nullable=False),
        sa.Column("auth_data", sa.String(length=128), nullable=True),
        sa.Column("auth_service", sa.String(length=32), nullable=False),
        sa.Column("email", sa.String(length=128), nullable=False),
        sa.Column("email_verified", sa.Boolean(), nullable=False),
        sa.Column("nickname", sa.String(length=64), nullable=False),
        sa.Column("first_name", sa.String(length=64), nullable=False),
        sa.Column("last_name", sa.String(length=64), nullable=False),
        sa.Column("position", sa.String(length=128), nullable=False),
        sa.Column("roles", sa.String(length=256), nullable=False),
        sa.Column("allow_marketing", sa.Boolean(), nullable=False),
        sa.Column("props", sa.JSON(), nullable=False),
        sa.Column("notify_props", sa.JSON(), nullable=False),
        sa.Column("last_password_update", sa.BigInteger(), nullable=False),
        sa.Column("last_picture_update", sa.BigInteger(), nullable=False),
        sa.Column("failed_attempts", sa.Integer(), nullable=False),
        sa.Column("locale", sa.String(length=5), nullable=False),
        sa.Column("timezone", sa.JSON(), nullable=False),
        sa.Column("mfa_active", sa.Boolean(), nullable=False),
        sa.Column("mfa_secret", sa.String(length=128), nullable=False),
        sa.Column("is_bot", sa.Boolean(), nullable=False),
        sa.Column("bot_description", sa.String(length=1024), nullable=False),
        sa.Column("last_activity_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("email"),
        sa.UniqueConstraint("username"),
    )


def downgrade() -> None:
    op.drop_table("users")
    with op.batch_alter_table("user_access_tokens", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_user_access_tokens_user_id"))

    op.drop_table("user_access_tokens")
    op.drop_table("teams")
    with op.batch_alter_table("team_members", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_team_members_user_id"))

    op.drop_table("team_members")
    op.drop_table("statuses")
    with op.batch_alter_table("sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sessions_user_id"))
        batch_op.drop_index(batch_op.f("ix_sessions_access_token_id"))

    op.drop_table("sessions")
    op.drop_table("reactions")
    op.drop_table("preferences")
    with op.batch_alter_table("posts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_posts_user_id"))
        batch_op.drop_index("ix_posts_root_create")
        batch_op.drop_index("ix_posts_channel_create")

    op.drop_table("posts")
    with op.batch_alter_table("file_infos", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_file_infos_user_id"))
        batch_op.drop_index(batch_op.f("ix_file_infos_post_id"))

    op.drop_table("file_infos")
    with op.batch_alter_table("channels", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_channels_team_id"))

    op.drop_table("channels")
    with op.batch_alter_table("channel_members", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_channel_members_user_id"))

    op.drop_table("channel_members")
