"""post search: each database's own full text index over posts.message

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24 22:55:00.000000
"""

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

# SQLite: an FTS5 index whose content is the posts table itself (no second copy of the text),
# keyed by posts' implicit rowid and kept in step by triggers. Rowids of a table without an
# INTEGER PRIMARY KEY may change on VACUUM; run "INSERT INTO posts_fts(posts_fts) VALUES('rebuild')"
# after one. Only changes to message touch the index, not the frequent counter updates.
_SQLITE_UPGRADE = (
    "CREATE VIRTUAL TABLE posts_fts USING fts5(message, content='posts', content_rowid='rowid')",
    """CREATE TRIGGER posts_fts_insert AFTER INSERT ON posts BEGIN
        INSERT INTO posts_fts(rowid, message) VALUES (new.rowid, new.message);
    END""",
    """CREATE TRIGGER posts_fts_delete AFTER DELETE ON posts BEGIN
        INSERT INTO posts_fts(posts_fts, rowid, message) VALUES ('delete', old.rowid, old.message);
    END""",
    """CREATE TRIGGER posts_fts_update AFTER UPDATE OF message ON posts BEGIN
        INSERT INTO posts_fts(posts_fts, rowid, message) VALUES ('delete', old.rowid, old.message);
        INSERT INTO posts_fts(rowid, message) VALUES (new.rowid, new.message);
    END""",
    "INSERT INTO posts_fts(posts_fts) VALUES ('rebuild')",
)
_SQLITE_DOWNGRADE = (
    "DROP TRIGGER posts_fts_update",
    "DROP TRIGGER posts_fts_delete",
    "DROP TRIGGER posts_fts_insert",
    "DROP TABLE posts_fts",
)

# The query side (hub/services/search.py) must use this exact expression for the index to serve it.
_POSTGRES_UPGRADE = (
    "CREATE INDEX ix_posts_message_fts ON posts USING gin (to_tsvector('english', message))",
)
_POSTGRES_DOWNGRADE = ("DROP INDEX ix_posts_message_fts",)

# ALGORITHM=COPY because MariaDB (seen on 10.11) builds an in-place FULLTEXT index without the
# rows that already had a hidden FTS_DOC_ID from an earlier, dropped one: an upgrade after a
# downgrade would leave every existing post unsearchable. The first FULLTEXT index on an InnoDB
# table rebuilds the table anyway, so the copy costs about the same.
_MYSQL_UPGRADE = ("ALTER TABLE posts ADD FULLTEXT INDEX ix_posts_message_fts (message), ALGORITHM=COPY",)
_MYSQL_DOWNGRADE = ("DROP INDEX ix_posts_message_fts ON posts",)

_UPGRADE = {"sqlite": _SQLITE_UPGRADE, "postgresql": _POSTGRES_UPGRADE, "mysql": _MYSQL_UPGRADE}
_DOWNGRADE = {"sqlite": _SQLITE_DOWNGRADE, "postgresql": _POSTGRES_DOWNGRADE, "mysql": _MYSQL_DOWNGRADE}


def _execute(statements: dict[str, tuple[str, ...]]) -> None:
    for statement in statements[op.get_bind().dialect.name]:
        op.execute(statement)


def upgrade() -> None:
    _execute(_UPGRADE)


def downgrade() -> None:
    _execute(_DOWNGRADE)
