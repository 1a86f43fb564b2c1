"""Incoming webhooks: their management by team admins and the posts they make in their owner's name."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub import models, validation
from hub.errors import AppError, forbidden, invalid_param
from hub.ids import is_valid_id, new_id, now_ms
from hub.permissions import Actor, can_read_channel, is_team_admin, require_admin, require_team_admin
from hub.services.posts import CUSTOM_TYPE_PREFIX
from webhooks.incoming import WebhookMessage, split_message

if TYPE_CHECKING:
    from hub.services import Hub

SLACK_ATTACHMENT_TYPE = "slack_attachment"
# Mattermost's model.IncomingWebhook limits, with the field's error id.
_FIELD_LIMITS = {"display_name": 64, "description": 500, "username": 255, "icon_url": 1024}
_EDITABLE_FIELDS = (*_FIELD_LIMITS, "channel_locked")


def to_api(hook: models.IncomingWebhook) -> dict[str, Any]:
    """Mattermost's JSON of an incoming webhook; the CI adapter's secret never leaves the server."""
    return {
        "id": hook.id,
        "create_at": hook.create_at,
        "update_at": hook.update_at,
        "delete_at": hook.delete_at,
        "user_id": hook.user_id,
        "channel_id": hook.channel_id,
        "team_id": hook.team_id,
        "display_name": hook.display_name,
        "description": hook.description,
        "username": hook.username,
        "icon_url": hook.icon_url,
        "channel_locked": hook.channel_locked,
    }


def hook_not_found(detail: str) -> AppError:
    return AppError("app.webhooks.get_incoming.app_error", "Unable to get the webhook.", 404, detail)


def _webhook_error(kind: str, message: str, status: int, detail: str = "") -> AppError:
    return AppError(f"web.incoming_webhook.{kind}.app_error", message, status, detail)


def _field_changes(fields: dict[str, Any]) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    for name, limit in _FIELD_LIMITS.items():
        if name in fields:
            value = fields[name]
            if value is None:
                value = ""
            if not isinstance(value, str) or len(value) > limit:
                raise AppError(
                    f"model.incoming_hook.{name}.app_error",
                    f"Invalid {name.replace('_', ' ')}.",
                    400,
                    f"{name} must be a string of at most {limit} characters",
                )
            changes[name] = value
    if fields.get("channel_locked") is not None:
        changes["channel_locked"] = validation.require_bool("channel_locked", fields["channel_locked"])
    return changes


class IncomingWebhookService:
    def __init__(self, hub: "Hub") -> None:
        self.hub = hub

    def _require_enabled(self) -> None:
        if not self.hub.config["ServiceSettings"]["EnableIncomingWebhooks"]:
            raise _webhook_error("disabled", "Incoming webhooks have been disabled by the system admin.", 501)

    def _load(self, s: Session, hook_id: Any) -> models.IncomingWebhook:
        validation.require_id("hook_id", hook_id)
        hook = s.get(models.IncomingWebhook, hook_id)
        if hook is None or hook.delete_at:
            raise hook_not_found(f"hook_id={hook_id}")
        return hook

    def _hook_channel(self, s: Session, actor: Actor, channel_id: Any) -> models.Channel:
        """A team channel the actor may attach a hook to: manage webhooks there, and read it."""
        channel = self.hub.channels.load(s, validation.require_id("channel_id", channel_id))
        if not channel.team_id:
            raise invalid_param("channel_id", "direct and group channels have no team to hold a webhook")
        require_team_admin(s, actor, channel.team_id)
        if channel.type != "O" and not can_read_channel(s, actor, channel):
            raise forbidden(f"no read access to channel {channel.id}")
        return channel

    def _managed(self, s: Session, actor: Actor, hook_id: Any) -> models.IncomingWebhook:
        hook = self._load(s, hook_id)
        if not is_team_admin(s, actor, hook.team_id):
            # The id is the hook's secret: it is not confirmed to those who may not manage it.
            raise forbidden(f"team admin role required on team {hook.team_id}")
        return hook

    # ---- management ------------------------------------------------------------------
    def create(self, actor: Actor, fields: dict[str, Any]) -> models.IncomingWebhook:
        self._require_enabled()
        changes = _field_changes(fields)
        with self.hub.store.write() as s:
            channel = self._hook_channel(s, actor, fields.get("channel_id"))
            now = now_ms()
            hook = models.IncomingWebhook(
                id=new_id(),
                create_at=now,
                update_at=now,
                delete_at=0,
                user_id=actor.user_id,
                channel_id=channel.id,
                team_id=channel.team_id,
                **{name: "" for name in _FIELD_LIMITS},
                channel_locked=False,
                adapter="",
                secret="",
            )
            for name, value in changes.items():
                setattr(hook, name, value)
            s.add(hook)
            return hook

    def list(self, actor: Actor, query: dict[str, Any]) -> list[models.IncomingWebhook]:
        self._require_enabled()
        page, per_page = validation.paging(query.get("page"), query.get("per_page"))
        team_id = query.get("team_id") or ""
        with self.hub.store.read() as s:
            stmt = select(models.IncomingWebhook).where(models.IncomingWebhook.delete_at == 0)
            if team_id:
                self.hub.teams.load(s, validation.require_id("team_id", team_id))
                require_team_admin(s, actor, team_id)
                stmt = stmt.where(models.IncomingWebhook.team_id == team_id)
            else:
                require_admin(actor)
            stmt = stmt.order_by(models.IncomingWebhook.create_at, models.IncomingWebhook.id)
            return list(s.scalars(stmt.offset(page * per_page).limit(per_page)))

    def get(self, actor: Actor, hook_id: str) -> models.IncomingWebhook:
        self._require_enabled()
        with self.hub.store.read() as s:
            return self._managed(s, actor, hook_id)

    def update(self, actor: Actor, hook_id: str, fields: dict[str, Any]) -> models.IncomingWebhook:
        self._require_enabled()
        if fields.get("id") != hook_id:
            raise invalid_param("hook_id", "the body's id must be the id in the path")
        changes = _field_changes(fields)
        with self.hub.store.write() as s:
            hook = self._managed(s, actor, hook_id)
            channel_id = fields.get("channel_id") or hook.channel_id
            channel = self._hook_channel(s, actor, channel_id)
            if channel.team_id != hook.team_id:
                raise invalid_param("channel_id", "a webhook stays in its team")
            hook.channel_id = channel.id
            for name, value in changes.items():
                setattr(hook, name, value)
            hook.update_at = now_ms()
            return hook

    def delete(self, actor: Actor, hook_id: str) -> None:
        self._require_enabled()
        with self.hub.store.write() as s:
            hook = self._managed(s, actor, hook_id)
            hook.delete_at = hook.update_at = now_ms()

    # ---- posting -----------------------------------------------------------------------
    def post(self, hook_id: str, message: WebhookMessage) -> None:
        """POST /hooks/{id}: the hook's owner posts the message; an over-long text makes several posts."""
        self._require_enabled()
        if not message.text and message.attachments is None:
            raise _webhook_error("text", "No text specified.", 400)
        if message.type and not message.type.startswith(CUSTOM_TYPE_PREFIX):
            raise invalid_param("post.type", f"a webhook may not make posts of type {message.type!r}")
        channel_id = self._target_channel_id(hook_id, message.channel)
        with self.hub.store.write() as s:
            hook = self._live_hook(s, hook_id)
            channel = self.hub.channels.load(s, channel_id)
            if hook.channel_locked and channel.id != hook.channel_id:
                raise _webhook_error(
                    "channel_locked", "This webhook is not permitted to post to the requested channel.", 403
                )
            owner = self.hub.users.load(s, hook.user_id)
            if not owner.is_active:
                detail = f"user {owner.id} is deactivated"
                raise _webhook_error("user", "Couldn't find the user.", 403, detail)
            if channel.type != "O" and not can_read_channel(s, Actor(owner.id, owner.roles), channel):
                raise _webhook_error("permissions", "Inappropriate channel permissions.", 403)
            if channel.delete_at:
                raise AppError(
                    "api.post.create_post.can_not_post_to_deleted.error",
                    "Can not post to deleted channel.",
                    400,
                    f"channel_id={channel.id}",
                )
            self._create_posts(s, hook, channel, message)

    def _live_hook(self, s: Session, hook_id: str) -> models.IncomingWebhook:
        hook = s.get(models.IncomingWebhook, hook_id) if is_valid_id(hook_id) else None
        if hook is None or hook.delete_at:
            raise _webhook_error("invalid", "Invalid webhook.", 400, f"hook_id={hook_id}")
        return hook

    def _target_channel_id(self, hook_id: str, channel_name: str) -> str:
        """The hook's channel, a channel of its team by name, or the owner's DM with an @user."""
        with self.hub.store.read() as s:
            hook = self._live_hook(s, hook_id)
            if not channel_name:
                return hook.channel_id
            if channel_name.startswith("@"):
                username = channel_name[1:].lower()
                recipient = s.scalar(select(models.User.id).where(models.User.username == username))
                if recipient is None:
                    raise _webhook_error("user", "Couldn't find the user.", 400, f"username={username}")
                owner = self.hub.users.load(s, hook.user_id)
            else:
                name = channel_name.removeprefix("#")
                channel_id = s.scalar(
                    select(models.Channel.id).where(
                        models.Channel.team_id == hook.team_id, models.Channel.name == name
                    )
                )
                if channel_id is None:
                    raise _webhook_error("channel", "Couldn't find the channel.", 404, f"name={name}")
                return channel_id
        return self.hub.channels.direct(Actor(owner.id, owner.roles), [owner.id, recipient]).id

    def _create_posts(
        self, s: Session, hook: models.IncomingWebhook, channel: models.Channel, message: WebhookMessage
    ) -> None:
        settings = self.hub.config["ServiceSettings"]
        props: dict[str, Any] = {**message.props, "webhook_display_name": hook.display_name}
        if settings["EnablePostUsernameOverride"]:
            username = message.username or hook.username
            if username:
                props["override_username"] = username
        if settings["EnablePostIconOverride"]:
            icon_url = message.icon_url or hook.icon_url
            if icon_url:
                props["override_icon_url"] = icon_url
            if message.icon_emoji:
                props["override_icon_emoji"] = message.icon_emoji
        post_type = message.type
        last_props = props
        if message.attachments:
            last_props = {**props, "attachments": message.attachments}
            post_type = SLACK_ATTACHMENT_TYPE
        parts = split_message(message.text, settings["MaximumPostLength"])
        first_at = now_ms()
        for index, part in enumerate(parts):
            is_last = index == len(parts) - 1
            self.hub.posts.create_from_webhook(
                s, channel, hook.user_id, part, post_type, last_props if is_last else props, first_at + index
            )
