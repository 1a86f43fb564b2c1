"""post timeline indexes: pages and cursors seek by (channel, create_at, id), `since` by (channel,
update_at), a retry's pending_post_id by (user, pending_post_id)

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04 03:00:00.000000
"""

from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_posts_channel_create", table_name="posts")
    op.create_index("ix_posts_channel_create", "posts", ["channel_id", "create_at", "id"], unique=False)
    op.create_index("ix_posts_channel_update", "posts", ["channel_id", "update_at"], unique=False)
    op.create_index("ix_posts_user_pending", "posts", ["user_id", "pending_post_id"], unique=False)
    op.drop_index("ix_posts_user_id", table_name="posts")


def downgrade() -> None:
    op.create_index("ix_posts_user_id", "posts", ["user_id"], unique=False)
    op.drop_index("ix_posts_user_pending", table_name="posts")
    op.drop_index("ix_posts_channel_update", table_name="posts")
    op.drop_index("ix_posts_channel_create", table_name="posts")
    op.create_index("ix_posts_channel_create", "posts", ["channel_id", "create_at"], unique=False)
