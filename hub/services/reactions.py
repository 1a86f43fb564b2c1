"""Emoji reactions to posts."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from hub import events, models, serialize, validation
from hub.errors import AppError, forbidden, invalid_param
from hub.ids import is_valid_id, now_ms
from hub.permissions import Actor, require_admin, require_channel_member

if TYPE_CHECKING:
    from hub.services import Hub

MAX_EMOJI_NAME_LENGTH = 64
# Mattermost's default ServiceSettings.UniqueEmojiReactionLimitPerPost.
UNIQUE_EMOJI_LIMIT_PER_POST = 50
# Mattermost lowercases emoji names before checking them against this.
_EMOJI_NAME = re.compile(r"[a-z0-9_+\-]+")


def _emoji_name(value: str) -> str | None:
    name = value.lower()
    return name if 0 < len(name) <= MAX_EMOJI_NAME_LENGTH and _EMOJI_NAME.fullmatch(name) else None


def _announce(s: Session, name: str, reaction: dict[str, Any], channel_id: str) -> None:
    events.emit(
        s,
        events.Event(
            name,
            {"reaction": events.json_string(reaction)},
            channel_id=channel_id,
            audience=events.channel_audience(s, channel_id),
        ),
    )


class ReactionService:
    def __init__(self, hub: Hub) -> None:
        self.hub = hub

    def save(self, actor: Actor, fields: dict[str, Any]) -> models.Reaction:
        """Saving a reaction twice keeps one; the post is marked as having reactions."""
        user_id, post_id, emoji = fields.get("user_id"), fields.get("post_id"), fields.get("emoji_name")
        if not (is_valid_id(user_id) and is_valid_id(post_id) and isinstance(emoji, str)):
            raise AppError("api.reaction.save_reaction.invalid.app_error", "Reaction is not valid.", 400)
        if user_id != actor.user_id:
            raise AppError(
                "api.reaction.save_reaction.user_id.app_error",
                "You cannot save reaction for the other user.",
                403,
            )
        emoji_name = _emoji_name(emoji)
        if emoji_name is None:
            raise AppError(
                "model.reaction.is_valid.emoji_name.app_error",
                "Invalid emoji name.",
                400,
                f"emoji_name={emoji!r}",
            )

        def work(s: Session) -> models.Reaction:
            post, channel = self._post_for_change(s, actor, post_id)
            if channel.delete_at:
                raise AppError(
                    "api.reaction.save.archived_channel.app_error",
                    "You cannot react to posts in an archived channel.",
                    403,
                )
            emojis = set(
                s.scalars(
                    select(models.Reaction.emoji_name).where(models.Reaction.post_id == post.id).distinct()
                )
            )
            if emoji_name not in emojis and len(emojis) >= UNIQUE_EMOJI_LIMIT_PER_POST:
                raise AppError(
                    "app.reaction.save.save.too_many_reactions",
                    "Reaction limit has been reached for this post.",
                    400,
                    f"at most {UNIQUE_EMOJI_LIMIT_PER_POST} different emojis",
                )
            now = now_ms()
            reaction = s.get(models.Reaction, (post.id, actor.user_id, emoji_name))
            if reaction is None:
                reaction = models.Reaction(
                    post_id=post.id,
                    user_id=actor.user_id,
                    emoji_name=emoji_name,
                    channel_id=post.channel_id,
                    create_at=now,
                    update_at=now,
                    delete_at=0,
                )
                s.add(reaction)
            else:
                reaction.update_at = now
            post.has_reactions = True
            # Clients that fetch posts `since` a time see the post again, with its new reactions.
            post.update_at = now
            _announce(s, "reaction_added", serialize.reaction(reaction), post.channel_id)
            return reaction

        return self.hub.store.write_get_or_create(work)

    def for_post(self, actor: Actor, post_id: str) -> list[models.Reaction]:
        with self.hub.store.read() as s:
            post, _ = self.hub.posts.readable(s, actor, post_id)
            return list(self.hub.posts.views(s, [post])[0].reactions)

    def for_posts(self, actor: Actor, post_ids: list[Any]) -> dict[str, list[models.Reaction]]:
        """Every requested post gets a list, empty when it has no reactions; all must be readable."""
        if not all(isinstance(i, str) for i in post_ids):
            raise invalid_param("post_ids", "the body must be a list of post ids")
        ids = list(dict.fromkeys(post_ids))
        with self.hub.store.read() as s:
            posts = list(
                s.scalars(select(models.Post).where(models.Post.id.in_([i for i in ids if is_valid_id(i)])))
            )
            readable = self.hub.posts.readable_channel_ids(s, actor, {p.channel_id for p in posts})
            allowed = {p.id for p in posts if p.channel_id in readable}
            refused = [i for i in ids if i not in allowed]
            if refused:
                raise forbidden(f"no read access to posts {refused[:5]}")
            found: dict[str, list[models.Reaction]] = {i: [] for i in ids}
            for view in self.hub.posts.views(s, posts):
                found[view.post.id] = list(view.reactions)
        return found

    def delete(self, actor: Actor, user_id: str, post_id: str, emoji_name: str) -> None:
        """Removing a reaction that is not there is not an error, as in Mattermost."""
        validation.require_id("user_id", user_id)
        validation.require_id("post_id", post_id)
        name = _emoji_name(emoji_name)
        if name is None:
            raise AppError(
                "api.context.invalid_url_param.app_error",
                "Invalid or missing emoji_name parameter in request URL.",
                400,
                f"emoji_name={emoji_name!r}",
            )
        with self.hub.store.write() as s:
            post, channel = self._post_for_change(s, actor, post_id)
            if user_id != actor.user_id:
                require_admin(actor)
            if channel.delete_at:
                raise AppError(
                    "api.reaction.delete.archived_channel.app_error",
                    "You cannot remove a reaction in an archived channel.",
                    403,
                )
            existing = s.get(models.Reaction, (post.id, user_id, name))
            removed = serialize.reaction(existing) if existing is not None else None
            s.execute(
                delete(models.Reaction).where(
                    models.Reaction.post_id == post.id,
                    models.Reaction.user_id == user_id,
                    models.Reaction.emoji_name == name,
                )
            )
            post.has_reactions = (
                s.scalar(select(models.Reaction.post_id).where(models.Reaction.post_id == post.id).limit(1))
                is not None
            )
            now = now_ms()
            post.update_at = now
            # Only a removal that happened is announced, its row stamped with the time of removal.
            if removed is not None:
                stamped = {**removed, "update_at": now, "delete_at": now}
                _announce(s, "reaction_removed", stamped, post.channel_id)

    def _post_for_change(self, s: Session, actor: Actor, post_id: str) -> tuple[models.Post, models.Channel]:
        """Adding and removing reactions needs channel membership, like posting."""
        post = self.hub.posts.load(s, post_id)
        channel = self.hub.channels.load(s, post.channel_id)
        require_channel_member(s, actor, channel)
        return post, channel
