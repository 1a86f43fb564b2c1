"""Changing posts: creation (a user's post, an integration's answer, an ephemeral post) with its
effects on the channel's counters, the members' mentions and the thread; edits, pins and deletion;
and the events that announce each of them."""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, load_only

from hub import events, models, validation
from hub.answers import Answer
from hub.errors import AppError, forbidden, invalid_param
from hub.ids import is_valid_id, new_id, now_ms
from hub.permissions import Actor, channel_member, is_team_admin, require_admin, require_channel_member
from hub.services.posts import counters
from hub.services.posts.lookups import PostLookups
from hub.services.posts.shapes import (
    CUSTOM_TYPE_PREFIX,
    EPHEMERAL_TYPE,
    SYSTEM_TYPE_PREFIX,
    NewPost,
    PostView,
    client_props,
    mention_names,
    parse_hashtags,
    parse_priority,
    post_json,
    refuse_deleted_channel,
    server_props,
)

logger = logging.getLogger(__name__)

MAX_FILES_PER_POST = 10
MAX_TYPE_LENGTH = 26
# The non-system types of Mattermost's model a client may create; plugins use custom_*.
USER_POST_TYPES = frozenset({"", "slack_attachment", "me"})
CHANNEL_WIDE_MENTIONS = frozenset({"channel", "all", "here"})


def _props(value: Any) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise invalid_param("props", "props must be an object")
    return client_props(value)


def _metadata(value: Any) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise invalid_param("metadata", "metadata must be an object")
    return value


def _file_ids(value: Any) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(i, str) for i in value):
        raise invalid_param("file_ids", "file_ids must be a list of ids")
    unique = list(dict.fromkeys(value))
    if len(unique) > MAX_FILES_PER_POST:
        raise AppError(
            "model.post.is_valid.file_ids.app_error",
            f"Invalid file ids. Note that uploads are limited to {MAX_FILES_PER_POST} files maximum.",
            400,
            f"{len(unique)} file ids",
        )
    return unique


def _root_id(value: Any) -> str:
    if value in (None, ""):
        return ""
    if not is_valid_id(value):
        raise AppError("model.post.is_valid.root_id.app_error", "Invalid root id.", 400, f"root_id={value!r}")
    return value


def _user_post_type(value: Any) -> str:
    post_type = validation.require_str("type", value)
    if post_type.startswith(SYSTEM_TYPE_PREFIX):
        raise invalid_param("post.type", f"type {post_type!r} is reserved for the server")
    if len(post_type) > MAX_TYPE_LENGTH or (
        post_type not in USER_POST_TYPES and not post_type.startswith(CUSTOM_TYPE_PREFIX)
    ):
        raise AppError("model.post.is_valid.type.app_error", "Invalid type.", 400, f"type={post_type!r}")
    return post_type


def _root_error(detail: str) -> AppError:
    return AppError(
        "api.post.create_post.root_id.app_error",
        "Invalid RootId parameter.",
        400,
        detail,
    )


class PostWrites(PostLookups):
    # ---- creation ----------------------------------------------------------------------
    def create(self, actor: Actor, fields: dict[str, Any]) -> PostView:
        draft = self._new_post(actor, fields)
        with self.hub.store.write() as s:
            channel = self.hub.channels.load(s, draft.channel_id)
            require_channel_member(s, actor, channel)
            refuse_deleted_channel(channel)
            if draft.pending_post_id:
                # A client retrying a send it never saw answered gets the post it already made.
                existing = s.scalar(
                    select(models.Post).where(
                        models.Post.user_id == actor.user_id,
                        models.Post.pending_post_id == draft.pending_post_id,
                        models.Post.delete_at == 0,
                    )
                )
                if existing is not None:
                    return self.views(s, [existing])[0]
            root = self._thread_root(s, draft.root_id, channel.id)
            return self._insert(s, channel, actor.user_id, draft, root)

    def post_answer(
        self, s: Session, channel: models.Channel, user_id: str, answer: Answer, *, root_id: str = ""
    ) -> list[PostView]:
        """The posts an integration's answer makes in a user's name (an incoming webhook's message, a
        command's or an outgoing webhook's answer), inside the caller's transaction; the caller has
        checked the channel and the permission. A text over MaximumPostLength is split into several
        posts with consecutive `create_at` values, so that they read in order."""
        parts = answer.parts(self.hub.config["ServiceSettings"]["MaximumPostLength"])
        root = self._thread_root(s, root_id, channel.id)
        first_at = now_ms()
        views = []
        for index, (message, post_type, props) in enumerate(parts):
            draft = NewPost(
                channel_id=channel.id,
                message=message,
                root_id=root_id,
                type=post_type,
                props=props,
                file_ids=[],
                pending_post_id="",
                create_at=first_at + index,
                priority=answer.priority,
            )
            views.append(self._insert(s, channel, user_id, draft, root))
        return views

    def _will_be_posted(self, s: Session, post_id: str, props: dict[str, Any]) -> dict[str, Any]:
        for hook in self.hub.extensions.post_hooks:
            props = hook.will_be_posted(s, post_id, props)
        return props

    def _insert(
        self, s: Session, channel: models.Channel, user_id: str, draft: NewPost, root: models.Post | None
    ) -> PostView:
        post_id = new_id()
        post = models.Post(
            id=post_id,
            create_at=draft.create_at,
            update_at=draft.create_at,
            edit_at=0,
            delete_at=0,
            is_pinned=False,
            user_id=user_id,
            channel_id=channel.id,
            root_id=draft.root_id,
            original_id="",
            message=draft.message,
            type=draft.type,
            props=self._will_be_posted(s, post_id, draft.props),
            hashtags=parse_hashtags(draft.message),
            file_ids=[],
            pending_post_id=draft.pending_post_id,
            reply_count=0,
            last_reply_at=0,
            has_reactions=False,
        )
        attached = self._attach_files(s, post, draft.file_ids)
        post.file_ids = [info.id for info in attached]
        # A prebuilt INSERT: the unit of work would cost more than the whole statement (the object stays
        # unattached; it serves the view, the hooks and the event).
        s.connection().execute(counters.INSERT_POST, counters.post_row(post))
        priority = None
        if draft.priority is not None:
            priority = models.PostPriority(
                post_id=post.id,
                channel_id=channel.id,
                priority=draft.priority.priority,
                requested_ack=draft.priority.requested_ack,
                persistent_notifications=draft.priority.persistent_notifications,
            )
            s.add(priority)
        mentioned = self._count_new_post(s, channel, post, root)
        s.flush()
        for hook in self.hub.extensions.post_hooks:
            hook.has_been_posted(s, channel, post)
        # A post just written has no reactions, and its files and priority are at hand: no reads.
        files = tuple(sorted(attached, key=lambda info: (info.create_at, info.id)))
        view = PostView(post, files, (), priority)
        events.emit(s, self._posted_event(s, channel, view, mentioned))
        return view

    def _new_post(self, actor: Actor, fields: dict[str, Any]) -> NewPost:
        create_at = fields.get("create_at")
        # Only system admins may date a post (imports, bridges), as in Mattermost.
        if not (
            actor.is_system_admin
            and isinstance(create_at, int)
            and not isinstance(create_at, bool)
            and create_at > 0
        ):
            create_at = now_ms()
        return NewPost(
            channel_id=validation.require_id("channel_id", fields.get("channel_id")),
            message=self._message(fields.get("message")),
            root_id=_root_id(fields.get("root_id")),
            type=_user_post_type(fields.get("type")),
            props=_props(fields.get("props")),
            file_ids=_file_ids(fields.get("file_ids")),
            pending_post_id=validation.require_str(
                "pending_post_id", fields.get("pending_post_id"), max_len=64
            ),
            create_at=create_at,
            priority=parse_priority(_metadata(fields.get("metadata")).get("priority")),
        )

    def _message(self, value: Any) -> str:
        message = validation.require_str("message", value)
        limit = self.hub.config["ServiceSettings"]["MaximumPostLength"]
        if len(message) > limit:
            raise AppError(
                "model.post.is_valid.msg.app_error",
                "Invalid message.",
                400,
                f"the message has {len(message)} characters, more than {limit}",
            )
        return message

    def _thread_root(self, s: Session, root_id: str, channel_id: str) -> models.Post | None:
        if not root_id:
            return None
        root = s.get(models.Post, root_id)
        if root is None or root.delete_at:
            raise _root_error(f"no post {root_id}")
        if root.channel_id != channel_id:
            raise AppError(
                "api.post.create_post.channel_root_id.app_error",
                "Invalid ChannelId for RootId parameter.",
                400,
                f"post {root_id} is in another channel",
            )
        if root.root_id:
            raise _root_error(f"post {root_id} is itself a reply")
        return root

    def _attach_files(self, s: Session, post: models.Post, file_ids: list[str]) -> list[models.FileInfo]:
        """Attaches the author's unattached uploads, answered in the order given; others are left out, as
        Mattermost does."""
        candidates = [i for i in file_ids if is_valid_id(i)]
        if not candidates:
            return []
        free = {
            info.id: info
            for info in s.scalars(
                select(models.FileInfo).where(
                    models.FileInfo.id.in_(candidates),
                    models.FileInfo.user_id == post.user_id,
                    models.FileInfo.post_id == "",
                    models.FileInfo.delete_at == 0,
                )
            )
        }
        now = now_ms()
        for info in free.values():
            info.post_id = post.id
            info.channel_id = post.channel_id
            info.update_at = now
        skipped = [i for i in file_ids if i not in free]
        if skipped:
            logger.info(
                "post %s: files %s are not free uploads of its author; not attached", post.id, skipped
            )
        return [free[i] for i in dict.fromkeys(file_ids) if i in free]

    def _count_new_post(
        self, s: Session, channel: models.Channel, post: models.Post, root: models.Post | None
    ) -> list[str]:
        """Counters change with SQL increments so that concurrent posts do not lose any. Answers
        the members the post mentions."""
        at = post.create_at
        connection = s.connection()
        counted = {"p_channel_id": channel.id, "p_at": at}
        connection.execute(
            counters.COUNT_ROOT_IN_CHANNEL if root is None else counters.COUNT_REPLY_IN_CHANNEL, counted
        )
        if root is not None:
            connection.execute(counters.COUNT_REPLY_ON_ROOT, {"p_root_id": root.id, "p_at": at})
        unsynchronised = {"synchronize_session": False}
        mentioned = self._mentioned_members(s, channel, post)
        if mentioned:
            member_values: dict[str, Any] = {
                "mention_count": models.ChannelMember.mention_count + 1,
                "last_update_at": now_ms(),
            }
            if root is None:
                member_values["mention_count_root"] = models.ChannelMember.mention_count_root + 1
            s.execute(
                update(models.ChannelMember)
                .where(
                    models.ChannelMember.channel_id == channel.id, models.ChannelMember.user_id.in_(mentioned)
                )
                .values(**member_values),
                execution_options=unsynchronised,
            )
        # Mattermost leaves the read state alone for webhook posts made in a user's name.
        if "from_webhook" not in post.props:
            read = {"p_channel_id": channel.id, "p_user_id": post.user_id, "p_now": now_ms()}
            connection.execute(counters.AUTHOR_HAS_READ, read)
        return mentioned

    def _mentioned_members(self, s: Session, channel: models.Channel, post: models.Post) -> list[str]:
        names = mention_names(post.message)
        # In a direct message every post is meant for the other person.
        if not names and channel.type != "D":
            return []
        others = select(models.ChannelMember.user_id).where(
            models.ChannelMember.channel_id == channel.id, models.ChannelMember.user_id != post.user_id
        )
        if channel.type == "D":
            return list(s.scalars(others))
        if names & CHANNEL_WIDE_MENTIONS:
            return list(s.scalars(others))
        return list(
            s.scalars(
                select(models.User.id).where(models.User.id.in_(others), models.User.username.in_(names))
            )
        )

    def _posted_event(
        self, s: Session, channel: models.Channel, view: PostView, mentioned: list[str]
    ) -> events.Event:
        """Mattermost's `posted`: the post and what clients need to notify without asking again."""
        post = view.post
        author = self.hub.users.username_of(s, post.user_id)
        data: dict[str, Any] = {
            "post": post_json(view),
            "channel_type": channel.type,
            "channel_display_name": self._notified_channel_name(s, channel, author),
            "channel_name": channel.name,
            "sender_name": self._sender_name(channel, post, author),
            "team_id": channel.team_id,
            "set_online": True,
        }
        if post.file_ids:
            data["otherFile"] = "true"
            if any(info.mime_type.startswith("image") for info in view.files):
                data["image"] = "true"
        if mentioned:
            data["mentions"] = events.json_string(sorted(mentioned))
        return self._channel_event(s, "posted", data, channel.id)

    def _notified_channel_name(self, s: Session, channel: models.Channel, author: str) -> str:
        """Mattermost names a direct channel after the sender (`author`, a username) and a group after
        its members."""
        if channel.type == "D":
            return f"@{author}"
        if channel.type == "G":
            usernames = s.scalars(
                select(models.User.username)
                .join(models.ChannelMember, models.ChannelMember.user_id == models.User.id)
                .where(models.ChannelMember.channel_id == channel.id)
            )
            return ", ".join(sorted(usernames))
        return channel.display_name

    def _sender_name(self, channel: models.Channel, post: models.Post, author: str) -> str:
        props = post.props or {}
        override = props.get("override_username")
        if (
            self.hub.config["ServiceSettings"]["EnablePostUsernameOverride"]
            and channel.type != "D"
            and props.get("from_webhook") == "true"
            and isinstance(override, str)
        ):
            return override
        return f"@{author}"

    def _channel_event(self, s: Session, name: str, data: dict[str, Any], channel_id: str) -> events.Event:
        audience = events.channel_audience(s, channel_id)
        return events.Event(name, data, channel_id=channel_id, audience=audience)

    def _announce_edit(self, s: Session, post: models.Post) -> PostView:
        """Edits and pins both reach the channel as `post_edited`, as in Mattermost."""
        s.flush()
        view = self.views(s, [post])[0]
        events.emit(s, self._channel_event(s, "post_edited", {"post": post_json(view)}, post.channel_id))
        return view

    def _announce_deletion(self, s: Session, deleted: str, channel_id: str, deleted_by: str) -> None:
        """One `post_deleted` for the post asked for (clients drop its replies themselves); only
        system admins learn who deleted it, as Mattermost's sensitive-data broadcast does."""
        members = s.scalars(
            select(models.User)
            .options(load_only(models.User.id, models.User.roles))
            .join(models.ChannelMember, models.ChannelMember.user_id == models.User.id)
            .where(models.ChannelMember.channel_id == channel_id)
        )
        admins: list[str] = []
        others: list[str] = []
        for member in members:
            (admins if member.is_system_admin else others).append(member.id)
        for audience, data in (
            (others, {"post": deleted}),
            (admins, {"post": deleted, "delete_by": deleted_by}),
        ):
            if audience:
                events.emit(
                    s, events.Event("post_deleted", data, channel_id=channel_id, audience=tuple(audience))
                )

    def ephemeral(self, actor: Actor, body: dict[str, Any]) -> PostView:
        """A post shown to one user only and never stored."""
        require_admin(actor)
        user_id = validation.require_id("user_id", body.get("user_id"))
        fields = body.get("post")
        if not isinstance(fields, dict):
            raise invalid_param("post", "post must be an object")
        channel_id = validation.require_id("channel_id", fields.get("channel_id"))
        message = self._message(fields.get("message"))
        root_id = _root_id(fields.get("root_id"))
        props = _props(fields.get("props"))
        with self.hub.store.read() as s:
            self.hub.users.load(s, user_id)
            self.hub.channels.load(s, channel_id)
        return self.show_ephemeral(
            user_id, channel_id, actor.user_id, message, EPHEMERAL_TYPE, props, root_id
        )

    def show_ephemeral(
        self,
        recipient_id: str,
        channel_id: str,
        author_id: str,
        message: str,
        post_type: str,
        props: dict[str, Any],
        root_id: str = "",
    ) -> PostView:
        """Sends a post to one user's open clients; it is never stored (its sealed actions are)."""
        now = now_ms()
        post_id = new_id()
        for hook in self.hub.extensions.post_hooks:
            props = hook.will_be_shown_ephemeral(post_id, channel_id, root_id, props)
        post = models.Post(
            id=post_id,
            create_at=now,
            update_at=now,
            edit_at=0,
            delete_at=0,
            is_pinned=False,
            user_id=author_id,
            channel_id=channel_id,
            root_id=root_id,
            original_id="",
            message=message,
            type=post_type,
            props=props,
            hashtags="",
            file_ids=[],
            pending_post_id="",
            reply_count=0,
            last_reply_at=0,
            has_reactions=False,
        )
        view = PostView(post)
        announcement = events.Event(
            "ephemeral_message", {"post": post_json(view)}, channel_id=channel_id, user_id=recipient_id
        )
        self.hub.bus.publish([announcement])
        return view

    # ---- changes -----------------------------------------------------------------------
    def patch(self, actor: Actor, post_id: str, fields: dict[str, Any], *, replace: bool = False) -> PostView:
        """PUT /posts/{id}/patch changes the fields sent; PUT /posts/{id} (`replace`) resets a
        missing message to "" and missing flags to false, as Mattermost's update does."""
        changes = self._changes(fields, replace=replace)
        with self.hub.store.write() as s:
            post = self.load(s, post_id)
            channel = self.hub.channels.load(s, post.channel_id)
            if not actor.is_system_admin:
                if post.user_id != actor.user_id:
                    raise forbidden(f"only the author or a system admin may edit post {post.id}")
                require_channel_member(s, actor, channel)
            if post.type.startswith(SYSTEM_TYPE_PREFIX):
                raise AppError(
                    "api.post.update_post.system_message.app_error", "Unable to update system message.", 400
                )
            if "props" in changes:
                # A webhook's post edited by its owner still shows as the webhook's.
                changes = {**changes, "props": {**changes["props"], **server_props(post.props)}}
            return self._apply_changes(s, post, channel, changes)

    def edit_from_webhook(
        self,
        s: Session,
        post: models.Post,
        channel: models.Channel,
        message: str,
        post_type: str,
        props: dict[str, Any],
    ) -> PostView:
        """An incoming webhook replaces the text, type and props of a post it made (its status message)."""
        post.type = post_type
        changes = {"message": message, "props": {**props, "from_webhook": "true"}}
        return self.edit_from_integration(s, post, channel, changes)

    def edit_from_integration(
        self, s: Session, post: models.Post, channel: models.Channel, changes: dict[str, Any]
    ) -> PostView:
        """An integration's changes (a webhook's edit, an action's `update`): they may re-seal actions."""
        return self._apply_changes(s, post, channel, changes, by_integration=True)

    def _apply_changes(
        self,
        s: Session,
        post: models.Post,
        channel: models.Channel,
        changes: dict[str, Any],
        *,
        by_integration: bool = False,
    ) -> PostView:
        self._refuse_archived(channel)
        if "props" in changes:
            props = changes["props"]
            for hook in self.hub.extensions.post_hooks:
                props = hook.will_be_updated(s, post.id, props, by_integration=by_integration)
            changes = {**changes, "props": props}
        now = now_ms()
        edited = False
        if "message" in changes and changes["message"] != post.message:
            post.message = changes["message"]
            post.hashtags = parse_hashtags(post.message)
            edited = True
        if "file_ids" in changes and changes["file_ids"] != list(post.file_ids or []):
            post.file_ids = self._replace_files(s, post, changes["file_ids"], now)
            edited = True
        for key in ("is_pinned", "has_reactions", "props"):
            if key in changes:
                setattr(post, key, changes[key])
        if edited:
            post.edit_at = now
        post.update_at = now
        return self._announce_edit(s, post)

    def _changes(self, fields: dict[str, Any], *, replace: bool) -> dict[str, Any]:
        changes: dict[str, Any] = {}
        if replace or fields.get("message") is not None:
            changes["message"] = self._message(fields.get("message"))
        for flag in ("is_pinned", "has_reactions"):
            if fields.get(flag) is not None:
                changes[flag] = validation.require_bool(flag, fields[flag])
            elif replace:
                changes[flag] = False
        if fields.get("props") is not None:
            changes["props"] = _props(fields["props"])
        if fields.get("file_ids") is not None:
            changes["file_ids"] = _file_ids(fields["file_ids"])
        return changes

    def _replace_files(self, s: Session, post: models.Post, file_ids: list[str], now: int) -> list[str]:
        """Files left out of an edit are deleted with it, as in Mattermost; new ones attached."""
        current = list(post.file_ids or [])
        attached = {
            info.id for info in self._attach_files(s, post, [i for i in file_ids if i not in current])
        }
        removed = [i for i in current if i not in file_ids]
        if removed:
            s.execute(
                update(models.FileInfo)
                .where(models.FileInfo.id.in_(removed), models.FileInfo.post_id == post.id)
                .values(delete_at=now, update_at=now),
                execution_options={"synchronize_session": False},
            )
        return [i for i in file_ids if i in current or i in attached]

    def set_pinned(self, actor: Actor, post_id: str, pinned: bool) -> None:
        """Pinning needs only read access to the channel, as in Mattermost."""
        with self.hub.store.write() as s:
            post, channel = self.readable(s, actor, post_id)
            self._refuse_archived(channel)
            post.is_pinned = pinned
            post.update_at = now_ms()
            self._announce_edit(s, post)

    def delete(self, actor: Actor, post_id: str) -> None:
        """Soft deletion; deleting a root deletes its thread, and the files of the deleted posts."""
        with self.hub.store.write() as s:
            post = self.load(s, post_id)
            channel = self.hub.channels.load(s, post.channel_id)
            if not self._may_delete(s, actor, post, channel):
                raise forbidden(f"cannot delete post {post.id}")
            self.delete_in(s, post, channel, actor.user_id)

    def delete_in(self, s: Session, post: models.Post, channel: models.Channel, deleted_by: str) -> None:
        """Deletes a post the caller may delete, inside the caller's transaction."""
        if channel.delete_at:
            raise AppError(
                "api.post.delete_post.can_not_delete_post_in_deleted.error",
                "Can not delete a post in a deleted channel.",
                400,
            )
        # Mattermost announces the post as it was just before its deletion.
        deleted = post_json(self.views(s, [post])[0])
        now = now_ms()
        doomed = [post]
        if not post.root_id:
            doomed += s.scalars(
                select(models.Post).where(models.Post.root_id == post.id, models.Post.delete_at == 0)
            )
        for gone in doomed:
            gone.delete_at = now
            gone.update_at = now
            gone.props = {**(gone.props or {}), "deleteBy": deleted_by}
        s.execute(
            update(models.FileInfo)
            .where(models.FileInfo.post_id.in_([p.id for p in doomed]), models.FileInfo.delete_at == 0)
            .values(delete_at=now, update_at=now),
            execution_options={"synchronize_session": False},
        )
        if post.root_id:
            self._recount_replies(s, post.root_id, now)
        self._announce_deletion(s, deleted, channel.id, deleted_by)

    def _recount_replies(self, s: Session, root_id: str, now: int) -> None:
        root = s.get(models.Post, root_id)
        if root is None:
            return
        s.flush()
        remaining = select(func.count(), func.max(models.Post.create_at)).where(
            models.Post.root_id == root_id, models.Post.delete_at == 0
        )
        count, last_reply_at = s.execute(remaining).one()
        root.reply_count = count
        root.last_reply_at = last_reply_at or 0
        root.update_at = now

    def _may_delete(self, s: Session, actor: Actor, post: models.Post, channel: models.Channel) -> bool:
        if actor.is_system_admin:
            return True
        member = channel_member(s, channel.id, actor.user_id)
        if post.user_id == actor.user_id:
            return member is not None
        if member is not None and member.scheme_admin:
            return True
        return bool(channel.team_id) and is_team_admin(s, actor, channel.team_id)

    def _refuse_archived(self, channel: models.Channel) -> None:
        if channel.delete_at:
            raise AppError(
                "api.post.patch_post.can_not_update_post_in_deleted.error",
                "Can not update a post in a deleted channel.",
                400,
            )
