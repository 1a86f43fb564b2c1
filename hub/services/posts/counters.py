"""The statements every post runs, built once: SQLAlchemy compiles each once per dialect and, being the
same objects, they skip the ORM's per-call statement building and unit of work (most of a post's CPU
before). They run on the session's connection, inside the post's transaction. No cache depends on these
tables (hub.caches): their writes need not be announced."""

from __future__ import annotations

from typing import Any

from sqlalchemy import BigInteger, ColumnElement, String, bindparam, case, insert, inspect, select, update

from hub import models

_tables = models.Base.metadata.tables
channels = _tables["channels"]
members = _tables["channel_members"]
posts = _tables["posts"]

INSERT_POST = insert(posts)
# (attribute, column) of every column of a post, for the INSERT's parameters.
_POST_COLUMNS = [(attr.key, attr.columns[0].key) for attr in inspect(models.Post).column_attrs]


def post_row(post: models.Post) -> dict[str, Any]:
    return {column: getattr(post, attribute) for attribute, column in _POST_COLUMNS}


AT = bindparam("p_at", type_=BigInteger)
CHANNEL_ID = bindparam("p_channel_id", type_=String)


def _later(column: ColumnElement[int]) -> ColumnElement[int]:
    """The greater of a column and the post's time, in SQL every database understands."""
    return case((column < AT, AT), else_=column)


def _of_channel(column: ColumnElement[int]) -> ColumnElement[int]:
    return select(column).where(channels.c.id == CHANNEL_ID).scalar_subquery()


# SQL increments, so that concurrent posts lose no count.
COUNT_REPLY_IN_CHANNEL = (
    update(channels)
    .where(channels.c.id == CHANNEL_ID)
    .values(total_msg_count=channels.c.total_msg_count + 1, last_post_at=_later(channels.c.last_post_at))
)
COUNT_ROOT_IN_CHANNEL = COUNT_REPLY_IN_CHANNEL.values(
    total_msg_count_root=channels.c.total_msg_count_root + 1,
    last_root_post_at=_later(channels.c.last_root_post_at),
)
COUNT_REPLY_ON_ROOT = (
    update(posts)
    .where(posts.c.id == bindparam("p_root_id", type_=String))
    .values(
        reply_count=posts.c.reply_count + 1,
        last_reply_at=_later(posts.c.last_reply_at),
        update_at=_later(posts.c.update_at),
    )
)
# The author has read the channel up to their post: the counters the post just incremented, read in
# the same statement, so that neither the channel nor the membership is loaded.
AUTHOR_HAS_READ = (
    update(members)
    .where(members.c.channel_id == CHANNEL_ID, members.c.user_id == bindparam("p_user_id", type_=String))
    .values(
        last_viewed_at=case(
            (
                members.c.last_viewed_at < _of_channel(channels.c.last_post_at),
                _of_channel(channels.c.last_post_at),
            ),
            else_=members.c.last_viewed_at,
        ),
        msg_count=_of_channel(channels.c.total_msg_count),
        msg_count_root=_of_channel(channels.c.total_msg_count_root),
        mention_count=0,
        mention_count_root=0,
        urgent_mention_count=0,
        last_update_at=bindparam("p_now", type_=BigInteger),
    )
)
