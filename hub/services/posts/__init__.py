"""Posts: creation with its effects on channels, members and threads; reads, edits, pins, deletion.

PostService is put together from the lookups both sides share, the reads and the writes, each in its
own module. Other modules keep importing the posts' vocabulary (value types, post types, prop rules)
from here rather than from the module that defines it."""

from __future__ import annotations

from hub.services.posts.reads import PostReads
from hub.services.posts.shapes import (
    CUSTOM_TYPE_PREFIX,
    EPHEMERAL_TYPE,
    SYSTEM_TYPE_PREFIX,
    PostList,
    PostView,
    Priority,
    client_props,
    mention_names,
    override_props,
    parse_priority,
    refuse_deleted_channel,
    server_props,
)
from hub.services.posts.writes import PostWrites

__all__ = [
    "CUSTOM_TYPE_PREFIX",
    "EPHEMERAL_TYPE",
    "SYSTEM_TYPE_PREFIX",
    "PostList",
    "PostService",
    "PostView",
    "Priority",
    "client_props",
    "mention_names",
    "override_props",
    "parse_priority",
    "refuse_deleted_channel",
    "server_props",
]


class PostService(PostReads, PostWrites):
    """The posts of every channel, as `hub.posts`."""
