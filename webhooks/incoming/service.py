"""Incoming webhooks: their management by team admins, the posts they make in their owner's name, and
the CI adapters' deliveries (GitLab, GitHub, Jenkins) turned into such posts."""

from __future__ import annotations

import builtins
import fnmatch
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub import models, validation
from hub.answers import Answer, resolve_slack_mentions
from hub.caches import Row, RowCache
from hub.errors import AppError, forbidden, invalid_param
from hub.ids import is_valid_id, new_id, now_ms
from hub.integrations import INCOMING_WEBHOOK, owner_is_member, require_integration_owner
from hub.permissions import (
    Actor,
    can_read_channel,
    require_admin,
    require_team_admin,
    team_member,
)
from hub.ratelimit import TokenBucket
from hub.services.posts import (
    CUSTOM_TYPE_PREFIX,
    EPHEMERAL_TYPE,
    PostView,
    client_props,
    override_props,
    refuse_deleted_channel,
)
from webhooks.incoming.adapters import Rendered, RequestHeaders, registry
from webhooks.incoming.payload import (
    WebhookMessage,
    delivery_key_from,
    json_object,
    parse_form_fields,
    parse_payload,
)
from webhooks.management import Integrations, TextLimit, text_changes

if TYPE_CHECKING:
    from hub.services import Hub

logger = logging.getLogger(__name__)
# Events an adapter does not render are an expected result (the sender was told to send more than it
# needs), logged apart from errors.
unhandled_events = logging.getLogger("webhooks.unhandled")

# Mattermost's model.IncomingWebhook limits, with the field's error id.
_TEXT_LIMITS = {
    name: TextLimit(limit, f"model.incoming_hook.{name}.app_error")
    for name, limit in (("display_name", 64), ("description", 500), ("username", 255), ("icon_url", 1024))
}
# A sender's delivery key finds its original post again for this long; after that the key is reused.
REPLAY_WINDOW_MS = 24 * 3600 * 1000
MAX_FILTER_PATTERNS = 50
MAX_PATTERN_LENGTH = 100
MAX_SECRET_LENGTH = 255
MAX_REMEMBERED_UNHANDLED = 50


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
        # Hubbub's additions; Mattermost clients ignore fields they do not know.
        "adapter": hook.adapter,
        "has_secret": bool(hook.secret),
        "event_filter": EventFilter.from_stored(hook.event_filter).to_api(),
        "last_unhandled_event": hook.last_unhandled_event,
        "last_unhandled_at": hook.last_unhandled_at,
    }


@dataclass(frozen=True)
class EventFilter:
    """Which events a CI adapter posts: shell-style patterns on the event name ("pipeline",
    "merge_request*"), and for events with an outcome, only failures and the first success after one."""

    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    failures_and_recoveries_only: bool = False

    @classmethod
    def from_stored(cls, data: Mapping[str, Any] | None) -> EventFilter:
        data = data or {}
        return cls(
            tuple(data.get("include") or ()),
            tuple(data.get("exclude") or ()),
            bool(data.get("failures_and_recoveries_only")),
        )

    @classmethod
    def parse(cls, value: Any) -> EventFilter:
        if value is None:
            return cls()
        if not isinstance(value, dict):
            raise invalid_param("event_filter", "event_filter must be an object")
        patterns = {}
        for name in ("include", "exclude"):
            listed = value.get(name) or []
            if (
                not isinstance(listed, list)
                or len(listed) > MAX_FILTER_PATTERNS
                or not all(isinstance(p, str) and 0 < len(p) <= MAX_PATTERN_LENGTH for p in listed)
            ):
                raise invalid_param(
                    "event_filter",
                    f"event_filter.{name} must be a list of at most {MAX_FILTER_PATTERNS} patterns "
                    f"of 1 to {MAX_PATTERN_LENGTH} characters",
                )
            patterns[name] = tuple(listed)
        only = value.get("failures_and_recoveries_only")
        return cls(
            patterns["include"],
            patterns["exclude"],
            False
            if only is None
            else validation.require_bool("event_filter.failures_and_recoveries_only", only),
        )

    def to_api(self) -> dict[str, Any]:
        return {
            "include": list(self.include),
            "exclude": list(self.exclude),
            "failures_and_recoveries_only": self.failures_and_recoveries_only,
        }

    def admits(self, event: str) -> bool:
        if self.include and not any(fnmatch.fnmatchcase(event, p) for p in self.include):
            return False
        return not any(fnmatch.fnmatchcase(event, p) for p in self.exclude)


@dataclass(frozen=True)
class Delivery:
    """One POST to /hooks/{id} as the web layer read it (the body already capped in size)."""

    body: bytes
    headers: RequestHeaders
    # The fields of a multipart/form-data body, which the web layer parses.
    form: Mapping[str, str] | None = None


@dataclass(frozen=True)
class DeliveryResult:
    """What one POST to a hook did: the post it made (or made before, for a replayed delivery key),
    or why it posted nothing."""

    post: PostView | None = None
    replayed: bool = False
    skipped: str = ""


def hook_not_found(detail: str) -> AppError:
    return AppError("app.webhooks.get_incoming.app_error", "Unable to get the webhook.", 404, detail)


def _webhook_error(kind: str, message: str, status: int, detail: str = "") -> AppError:
    return AppError(f"web.incoming_webhook.{kind}.app_error", message, status, detail)


def _field_changes(fields: dict[str, Any], *, creating: bool) -> dict[str, Any]:
    changes: dict[str, Any] = text_changes(fields, _TEXT_LIMITS, creating=creating)
    if fields.get("channel_locked") is not None:
        changes["channel_locked"] = validation.require_bool("channel_locked", fields["channel_locked"])
    if fields.get("adapter") is not None:
        adapter = fields["adapter"]
        if adapter != "" and adapter not in registry():
            raise invalid_param(
                "adapter", f"adapter must be one of: {', '.join(sorted(registry()))} (or empty)"
            )
        changes["adapter"] = adapter
    if fields.get("secret") is not None:
        changes["secret"] = validation.require_str("secret", fields["secret"], max_len=MAX_SECRET_LENGTH)
    if "event_filter" in fields:
        changes["event_filter"] = EventFilter.parse(fields["event_filter"]).to_api()
    return changes


def _channel_locked(requested: str) -> AppError:
    return _webhook_error(
        "channel_locked",
        "This webhook is not permitted to post to the requested channel.",
        403,
        f"the hook is locked to its channel; {requested} was requested",
    )


def _post_not_found(post_id: str) -> AppError:
    return AppError(
        "app.post.get.app_error",
        "Unable to get the post.",
        404,
        f"post_id={post_id} was not made by this hook",
    )


class IncomingWebhookService:
    def __init__(self, hub: Hub) -> None:
        self.hub = hub
        self.rows = Integrations(
            hub,
            models.IncomingWebhook,
            enabled_setting="EnableIncomingWebhooks",
            disabled=lambda: _webhook_error(
                "disabled", "Incoming webhooks have been disabled by the system admin.", 501
            ),
            id_name="hook_id",
            not_found=hook_not_found,
        )
        self._rate: TokenBucket | None = None
        # Each delivery checks its hook before its transaction: the sender, the adapter, the secret.
        self._hooks: RowCache[str, models.IncomingWebhook] = hub.store.add_cache(
            RowCache(("incoming_webhooks",))
        )

    def _hook_channel(self, s: Session, actor: Actor, channel_id: Any) -> models.Channel:
        """A team channel the actor may attach a hook to: manage webhooks there, and read it."""
        channel = self.hub.channels.load(s, validation.require_id("channel_id", channel_id))
        if not channel.team_id:
            raise invalid_param("channel_id", "direct and group channels have no team to hold a webhook")
        require_team_admin(s, actor, channel.team_id)
        if channel.type != "O" and not can_read_channel(s, actor, channel):
            raise forbidden(f"no read access to channel {channel.id}")
        return channel

    def _owner_id(self, s: Session, actor: Actor, channel: models.Channel, user_id: Any) -> str:
        """The hook posts as its creator, or as another account a team admin names (Mattermost's
        user_id on create)."""
        if user_id in (None, ""):
            if not actor.user_id:
                raise invalid_param("user_id", "name the account the hook posts as")
            user_id = actor.user_id
        owner = self.hub.users.load(s, validation.require_id("user_id", user_id))
        self._require_owner(s, actor, owner, channel)
        return owner.id

    def _require_owner(self, s: Session, actor: Actor, owner: models.User, channel: models.Channel) -> None:
        require_integration_owner(
            s, actor, owner, channel.team_id, channel, kind=INCOMING_WEBHOOK, field="user_id"
        )

    # ---- management ------------------------------------------------------------------
    def create(self, actor: Actor, fields: dict[str, Any]) -> models.IncomingWebhook:
        self.rows.require_enabled()
        changes = _field_changes(fields, creating=True)
        with self.hub.store.write() as s:
            channel = self._hook_channel(s, actor, fields.get("channel_id"))
            owner_id = self._owner_id(s, actor, channel, fields.get("user_id"))
            now = now_ms()
            hook = models.IncomingWebhook(
                id=new_id(),
                create_at=now,
                update_at=now,
                delete_at=0,
                user_id=owner_id,
                channel_id=channel.id,
                team_id=channel.team_id,
                channel_locked=False,
                adapter="",
                secret="",
                event_filter=EventFilter().to_api(),
                last_unhandled_event="",
                last_unhandled_at=0,
                unhandled_events=[],
            )
            for name, value in changes.items():
                setattr(hook, name, value)
            s.add(hook)
            return hook

    def list(self, actor: Actor, query: dict[str, Any]) -> list[models.IncomingWebhook]:
        self.rows.require_enabled()
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
        return self.rows.get(actor, hook_id)

    def update(self, actor: Actor, hook_id: str, fields: dict[str, Any]) -> models.IncomingWebhook:
        self.rows.require_enabled()
        if fields.get("id") != hook_id:
            raise invalid_param("hook_id", "the body's id must be the id in the path")
        changes = _field_changes(fields, creating=False)
        with self.hub.store.write() as s:
            hook = self.rows.managed(s, actor, hook_id)
            channel_id = fields.get("channel_id") or hook.channel_id
            channel = self._hook_channel(s, actor, channel_id)
            if channel.team_id != hook.team_id:
                raise invalid_param("channel_id", "a webhook stays in its team")
            self._require_owner(s, actor, self.hub.users.load(s, hook.user_id), channel)
            hook.channel_id = channel.id
            for name, value in changes.items():
                setattr(hook, name, value)
            hook.update_at = now_ms()
            return hook

    def delete(self, actor: Actor, hook_id: str) -> None:
        self.rows.delete(actor, hook_id)

    # ---- posting -----------------------------------------------------------------------
    def receive(self, hook_id: str, delivery: Delivery, adapter_name: str = "") -> DeliveryResult:
        """A delivery to /hooks/{id} (through the adapter chosen on the hook, if any) or to
        /hooks/{id}/{adapter}."""
        self.rows.require_enabled()
        key = delivery_key_from(delivery.headers)
        if not adapter_name:
            adapter_name = self._read_hook(hook_id).adapter
        if adapter_name:
            return self.deliver(hook_id, adapter_name, delivery.headers, delivery.body, key)
        if delivery.form is not None:
            message = parse_form_fields(delivery.form)
        else:
            message = parse_payload(delivery.body, delivery.headers.get("Content-Type", ""))
        return self.post(hook_id, message, key)

    def post(self, hook_id: str, message: WebhookMessage, delivery_key: str = "") -> DeliveryResult:
        """POST /hooks/{id}: the hook's owner posts the message; an over-long text makes several posts.
        A delivery key seen before answers the post it made then, and posts nothing."""
        self.rows.require_enabled()
        self._check_message(message)
        channel_id = self._target_channel_id(hook_id, message.channel)
        self._throttle(hook_id)
        return self.hub.store.write_get_or_create(
            lambda s: self._post_once(s, hook_id, channel_id, message, delivery_key, None)
        )

    def deliver(
        self, hook_id: str, adapter_name: str, headers: RequestHeaders, body: bytes, delivery_key: str = ""
    ) -> DeliveryResult:
        """POST /hooks/{id}/{adapter}: a CI tool's delivery, checked against the hook's secret,
        filtered, rendered by the adapter and posted in the hook's channel."""
        self.rows.require_enabled()
        adapter = registry().get(adapter_name)
        if adapter is None:
            raise _webhook_error(
                "adapter", "Unknown webhook adapter.", 404, f"adapters: {', '.join(sorted(registry()))}"
            )
        hook = self._read_hook(hook_id)
        self._throttle(hook.id)
        adapter.verify(headers, body, hook.secret)
        payload = json_object(body)
        event = adapter.event_name(headers, payload)
        event_filter = EventFilter.from_stored(hook.event_filter)
        if not event_filter.admits(event):
            return DeliveryResult(skipped=f"the hook's event filter leaves out {event!r}")
        rendered = adapter.render(event, payload)
        if rendered is None:
            self._note_unhandled(hook, adapter_name, event)
            return DeliveryResult(skipped=f"the {adapter_name} adapter does not render {event!r} events")
        gate = None
        if event_filter.failures_and_recoveries_only and rendered.outcome:
            gate = lambda s: self._is_failure_or_recovery(s, hook.id, rendered)  # noqa: E731
        message = WebhookMessage(text=rendered.text, attachments=list(rendered.attachments) or None)
        return self.hub.store.write_get_or_create(
            lambda s: self._post_once(s, hook.id, hook.channel_id, message, delivery_key, gate)
        )

    def update_post(self, hook_id: str, post_id: str, message: WebhookMessage) -> PostView:
        """PUT /hooks/{id}/posts/{post_id}: the hook replaces the text and attachments of a post it made."""
        self.rows.require_enabled()
        self._check_message(message)
        limit = self.hub.config["ServiceSettings"]["MaximumPostLength"]
        if len(message.text) > limit:
            raise AppError(
                "model.post.is_valid.msg.app_error",
                "Invalid message.",
                400,
                f"an edit is not split: the text has {len(message.text)} characters, more than {limit}",
            )
        self._throttle(hook_id)
        with self.hub.store.write() as s:
            hook, post, channel = self._hook_post(s, hook_id, post_id)
            message = self._with_mentions(s, message)
            [(text, post_type, props)] = self._answer(hook, message).parts(limit)
            return self.hub.posts.edit_from_webhook(s, post, channel, text, post_type, props)

    def delete_post(self, hook_id: str, post_id: str) -> None:
        """DELETE /hooks/{id}/posts/{post_id}: the hook deletes a post it made."""
        self.rows.require_enabled()
        self._throttle(hook_id)
        with self.hub.store.write() as s:
            hook, post, channel = self._hook_post(s, hook_id, post_id)
            self.hub.posts.delete_in(s, post, channel, hook.user_id)

    def _check_message(self, message: WebhookMessage) -> None:
        if not message.text and message.attachments is None:
            raise _webhook_error("text", "No text specified.", 400)
        if message.type and not message.type.startswith(CUSTOM_TYPE_PREFIX):
            raise invalid_param("post.type", f"a webhook may not make posts of type {message.type!r}")

    def _throttle(self, hook_id: str) -> None:
        """Per process, like the other rate limits: N web processes accept up to N times the rate.
        The bucket follows the settings when they change."""
        limits = self.hub.config["RateLimitSettings"]
        rate, burst = limits["IncomingWebhookPerSec"], max(1, limits["IncomingWebhookMaxBurst"])
        if rate <= 0:
            return
        if self._rate is None or (self._rate.rate, self._rate.burst) != (rate, burst):
            self._rate = TokenBucket(rate, burst)
        self._rate.check(hook_id)

    def _post_once(
        self,
        s: Session,
        hook_id: str,
        channel_id: str,
        message: WebhookMessage,
        delivery_key: str,
        gate: Callable[[Session], bool] | None,
    ) -> DeliveryResult:
        hook = self._live_hook(s, hook_id)
        if delivery_key:
            original = self._original_post(s, hook.id, delivery_key)
            if original is not None:
                return DeliveryResult(original, replayed=True)
        channel = self.hub.channels.load(s, channel_id)
        if hook.channel_locked and channel.id != hook.channel_id:
            raise _channel_locked(channel.id)
        self._posting_owner(s, hook, channel)
        refuse_deleted_channel(channel)
        if gate is not None and not gate(s):
            return DeliveryResult(skipped="the hook posts only failures and recoveries")
        views = self._create_posts(s, hook, channel, self._with_mentions(s, message))
        now = now_ms()
        for view in views:
            is_last = view is views[-1]
            s.add(
                models.IncomingWebhookPost(
                    post_id=view.post.id,
                    hook_id=hook.id,
                    delivery_key=delivery_key if is_last and delivery_key else None,
                    create_at=now,
                )
            )
        # A concurrent delivery with the same key fails here (or at the commit) on the unique index;
        # write_get_or_create then runs this again and finds the winner's post.
        s.flush()
        return DeliveryResult(views[-1])

    def _original_post(self, s: Session, hook_id: str, delivery_key: str) -> PostView | None:
        row = s.scalar(
            select(models.IncomingWebhookPost).where(
                models.IncomingWebhookPost.hook_id == hook_id,
                models.IncomingWebhookPost.delivery_key == delivery_key,
            )
        )
        if row is None:
            return None
        post = s.get(models.Post, row.post_id)
        if post is None or row.create_at < now_ms() - REPLAY_WINDOW_MS:
            # The key has expired: it is freed for this new delivery.
            row.delivery_key = None
            s.flush()
            return None
        return self.hub.posts.views(s, [post])[0]

    def _is_failure_or_recovery(self, s: Session, hook_id: str, rendered: Rendered) -> bool:
        """Records the outcome for its subject; a failure passes, and a success right after a failure.
        Cancelled and running builds neither pass nor change what came before."""
        subject = (rendered.subject or rendered.event)[:255]
        last = s.get(models.IncomingWebhookOutcome, (hook_id, subject))
        previous = last.outcome if last is not None else ""
        if rendered.outcome in ("success", "failure"):
            if last is None:
                s.add(
                    models.IncomingWebhookOutcome(
                        hook_id=hook_id, subject=subject, outcome=rendered.outcome, update_at=now_ms()
                    )
                )
            else:
                last.outcome, last.update_at = rendered.outcome, now_ms()
            s.flush()
        return rendered.outcome == "failure" or (rendered.outcome == "success" and previous == "failure")

    def _note_unhandled(self, hook: models.IncomingWebhook, adapter_name: str, event: str) -> None:
        """Logged, kept on the hook for its owner to see in the console, and told to the owner's open
        clients the first time each kind of event arrives."""
        unhandled_events.info(
            "hook %s: the %s adapter does not render %r events", hook.id, adapter_name, event
        )
        label = f"{adapter_name}:{event}"[:255]
        with self.hub.store.write() as s:
            row = self._live_hook(s, hook.id)
            told = list(row.unhandled_events or [])
            is_new = label not in told
            if is_new:
                row.unhandled_events = (told + [label])[-MAX_REMEMBERED_UNHANDLED:]
            row.last_unhandled_event, row.last_unhandled_at = label, now_ms()
        if is_new:
            self.hub.posts.show_ephemeral(
                hook.user_id,
                hook.channel_id,
                hook.user_id,
                f'The incoming webhook "{hook.display_name or hook.id}" received a {adapter_name} '
                f'"{event}" event, which Hubbub does not turn into a post; it answered 200 and ignored it.',
                EPHEMERAL_TYPE,
                {},
            )

    def _hook_post(
        self, s: Session, hook_id: str, post_id: str
    ) -> tuple[models.IncomingWebhook, models.Post, models.Channel]:
        hook = self._live_hook(s, hook_id)
        made = s.get(models.IncomingWebhookPost, post_id) if is_valid_id(post_id) else None
        post = s.get(models.Post, post_id) if made is not None and made.hook_id == hook.id else None
        if post is None or post.delete_at:
            raise _post_not_found(post_id)
        channel = self.hub.channels.load(s, post.channel_id)
        self._posting_owner(s, hook, channel)
        return hook, post, channel

    def _posting_owner(
        self, s: Session, hook: models.IncomingWebhook, channel: models.Channel | None
    ) -> models.User:
        """The hook's owner, if still allowed to post in the channel (or, without one, in the team)."""
        owner = self.hub.users.load(s, hook.user_id)
        if not owner.is_active:
            raise _webhook_error("user", "Couldn't find the user.", 403, f"user {owner.id} is deactivated")
        if not owner_is_member(s, owner.id, hook.team_id, channel):
            place = f"channel {channel.id}" if channel is not None else f"team {hook.team_id}"
            detail = f"user {owner.id} is not a member of {place}"
            raise _webhook_error("permissions", "Inappropriate channel permissions.", 403, detail)
        return owner

    def _read_hook(self, hook_id: str) -> models.IncomingWebhook:
        """The live hook as last committed, for the checks before a delivery's transaction (which loads
        it again): from the cache when nothing changed it since it was read. Never written through."""

        def read() -> tuple[models.IncomingWebhook, list[Row]]:
            with self.hub.store.read() as s:
                hook = self._live_hook(s, hook_id)
            return hook, [("incoming_webhooks", hook.id)]

        return self._hooks.read(hook_id, read)

    def _live_hook(self, s: Session, hook_id: str) -> models.IncomingWebhook:
        hook = s.get(models.IncomingWebhook, hook_id) if is_valid_id(hook_id) else None
        if hook is None or hook.delete_at:
            raise _webhook_error("invalid", "Invalid webhook.", 400, f"hook_id={hook_id}")
        return hook

    def _target_channel_id(self, hook_id: str, channel_name: str) -> str:
        """The hook's channel, a channel of its team by name, or the owner's DM with an @user."""
        hook = self._read_hook(hook_id)
        if not channel_name:
            return hook.channel_id
        with self.hub.store.read() as s:
            if channel_name.startswith("@"):
                # Refused before the direct channel is made: a refused delivery leaves nothing behind.
                if hook.channel_locked:
                    raise _channel_locked(channel_name)
                owner = self._posting_owner(s, hook, None)
                username = channel_name[1:].lower()
                recipient = s.scalar(select(models.User.id).where(models.User.username == username))
                # A hook speaks within its team; whether an account exists elsewhere is not told.
                if recipient is None or team_member(s, hook.team_id, recipient) is None:
                    detail = f"username={username} is not a member of the hook's team"
                    raise _webhook_error("user", "Couldn't find the user.", 400, detail)
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

    def _with_mentions(self, s: Session, message: WebhookMessage) -> WebhookMessage:
        """Slack's <@U123> mentions name an account by id (or name); Mattermost's name it by @username."""

        def username_of(ref: str) -> str | None:
            match = models.User.id == ref if is_valid_id(ref) else models.User.username == ref.lower()
            return s.scalar(select(models.User.username).where(match))

        text = resolve_slack_mentions(message.text, username_of)
        return message if text == message.text else replace(message, text=text)

    def _answer(self, hook: models.IncomingWebhook, message: WebhookMessage, **markers: str) -> Answer:
        """The posts Mattermost makes of a webhook's message: overrides when allowed, the attachments."""
        props: dict[str, Any] = {
            **client_props(message.props),
            "webhook_display_name": hook.display_name,
            **override_props(
                self.hub.config["ServiceSettings"],
                message.username or hook.username,
                message.icon_url or hook.icon_url,
                message.icon_emoji,
            ),
            **markers,
        }
        return Answer(message.text, props, message.type, message.attachments, message.priority)

    def _create_posts(
        self, s: Session, hook: models.IncomingWebhook, channel: models.Channel, message: WebhookMessage
    ) -> builtins.list[PostView]:
        return self.hub.posts.post_answer(
            s, channel, hook.user_id, self._answer(hook, message, from_webhook="true")
        )
