"""The lookups that the reads, the writes and other services (reactions, search, integrations) share:
a post by id with the permission to read it, and the rows its JSON metadata shows."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub import models, validation
from hub.permissions import Actor, can_read_channel, require_read_channel
from hub.services.posts.shapes import PostView, post_not_found

if TYPE_CHECKING:
    from hub.services import Hub


class PostLookups:
    """The base of PostReads and PostWrites: both halves of the service start from these lookups."""

    def __init__(self, hub: Hub) -> None:
        self.hub = hub

    def load(self, s: Session, post_id: Any) -> models.Post:
        """A post that is not deleted; deleted posts answer 404 as in Mattermost."""
        validation.require_id("post_id", post_id)
        post = s.get(models.Post, post_id)
        if post is None or post.delete_at:
            raise post_not_found(f"post_id={post_id}")
        return post

    def readable(self, s: Session, actor: Actor, post_id: Any) -> tuple[models.Post, models.Channel]:
        post = self.load(s, post_id)
        channel = self.hub.channels.load(s, post.channel_id)
        require_read_channel(s, actor, channel)
        return post, channel

    def readable_channel_ids(self, s: Session, actor: Actor, channel_ids: Iterable[str]) -> set[str]:
        wanted = set(channel_ids)
        if not wanted:
            return set()
        channels = s.scalars(select(models.Channel).where(models.Channel.id.in_(wanted)))
        return {c.id for c in channels if can_read_channel(s, actor, c)}

    def views(self, s: Session, posts: Sequence[models.Post]) -> list[PostView]:
        """Three queries for the files, reactions and priorities of all the posts, whatever their number."""
        ids = [p.id for p in posts]
        if not ids:
            return []
        files: dict[str, list[models.FileInfo]] = {}
        for info in s.scalars(
            select(models.FileInfo)
            .where(models.FileInfo.post_id.in_(ids), models.FileInfo.delete_at == 0)
            .order_by(models.FileInfo.create_at, models.FileInfo.id)
        ):
            files.setdefault(info.post_id, []).append(info)
        reactions: dict[str, list[models.Reaction]] = {}
        for reaction in s.scalars(
            select(models.Reaction)
            .where(models.Reaction.post_id.in_(ids))
            .order_by(models.Reaction.create_at, models.Reaction.user_id, models.Reaction.emoji_name)
        ):
            reactions.setdefault(reaction.post_id, []).append(reaction)
        priorities = {
            row.post_id: row
            for row in s.scalars(select(models.PostPriority).where(models.PostPriority.post_id.in_(ids)))
        }
        return [
            PostView(p, tuple(files.get(p.id, ())), tuple(reactions.get(p.id, ())), priorities.get(p.id))
            for p in posts
        ]
