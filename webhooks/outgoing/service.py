"""Outgoing webhooks: their management by team admins, and the deliveries a matching post makes to
every callback URL (queued with the post, sent by the delivery worker); a JSON answer is posted back.
A hook whose callbacks keep failing is switched off (`disabled_reason`) and its owner told."""

from __future__ import annotations

import builtins
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub import models, validation
from hub.answers import Answer, slack_text_to_markdown
from hub.caches import Row, RowCache
from hub.errors import AppError, invalid_param
from hub.extensions import PostHook
from hub.ids import new_id, now_ms
from hub.integrations import OUTGOING_WEBHOOK, owner_is_member, require_integration_owner
from hub.outbound import OutboundResponse, check_url
from hub.permissions import Actor, require_admin, require_team_admin
from hub.security import new_signing_secret
from hub.services.deliveries import delivery_to_api
from hub.services.posts import CUSTOM_TYPE_PREFIX, EPHEMERAL_TYPE, client_props, override_props
from hub.store import has_uncommitted_changes
from webhooks.management import Integrations, TextLimit, text_changes
from webhooks.outgoing.protocol import (
    COMMENT,
    EXACT_MATCH,
    FORM_CONTENT_TYPE,
    JSON_CONTENT_TYPE,
    STARTS_WITH,
    TriggeredPost,
    parse_answer,
    trigger_word,
)

if TYPE_CHECKING:
    from hub.services import Hub

logger = logging.getLogger(__name__)

TRIGGER_WHEN_EXACT = EXACT_MATCH
TRIGGER_WHEN_STARTS_WITH = STARTS_WITH
KIND = "outgoing_webhook"
# Mattermost's model.OutgoingWebhook limits, with the field's error id (it files only some of them
# under is_valid).
_TEXT_LIMITS = {
    "display_name": TextLimit(64, "model.outgoing_hook.is_valid.display_name.app_error"),
    "description": TextLimit(500, "model.outgoing_hook.is_valid.description.app_error"),
    "username": TextLimit(64, "model.outgoing_hook.username.app_error"),
    "icon_url": TextLimit(1024, "model.outgoing_hook.icon_url.app_error"),
}
# Mattermost bounds each list as Go prints it ("[a b c]"), trigger words and callback URLs alike.
MAX_PRINTED_LIST = 1024
MAX_DISABLED_REASON = 255


def to_api(hook: models.OutgoingWebhook) -> dict[str, Any]:
    """Mattermost's JSON of an outgoing webhook, token included: only those who manage it see it."""
    return {
        "id": hook.id,
        "token": hook.token,
        "create_at": hook.create_at,
        "update_at": hook.update_at,
        "delete_at": hook.delete_at,
        "creator_id": hook.creator_id,
        "channel_id": hook.channel_id,
        "team_id": hook.team_id,
        "trigger_words": list(hook.trigger_words),
        "trigger_when": hook.trigger_when,
        "callback_urls": list(hook.callback_urls),
        "display_name": hook.display_name,
        "description": hook.description,
        "content_type": hook.content_type,
        "username": hook.username,
        "icon_url": hook.icon_url,
        # Hubbub's additions; Mattermost clients ignore fields they do not know.
        "consecutive_failures": hook.consecutive_failures,
        "disabled_reason": hook.disabled_reason,
    }


def to_api_with_signing_secret(hook: models.OutgoingWebhook) -> dict[str, Any]:
    """The answer to a create or a regen_signing_secret, the only ones that show the hook's signing
    secret: the receiver keeps it, and it never travels again."""
    return {**to_api(hook), "signing_secret": hook.signing_secret}


def hook_not_found(detail: str) -> AppError:
    return AppError("app.webhooks.get_outgoing.app_error", "Unable to get the webhook.", 404, detail)


def _invalid(field: str, message: str, detail: str) -> AppError:
    return AppError(f"model.outgoing_hook.is_valid.{field}.app_error", message, 400, detail)


def _string_list(name: str, value: Any, error_field: str) -> list[str]:
    if value is None:
        return []
    if (
        not isinstance(value, list)
        or not all(isinstance(item, str) for item in value)
        or len(" ".join(value)) + 2 > MAX_PRINTED_LIST
    ):
        raise _invalid(
            error_field,
            f"Invalid {name.replace('_', ' ')}.",
            f"{name} must be a list of strings, at most {MAX_PRINTED_LIST} characters in all",
        )
    return value


def _trigger_words(value: Any) -> list[str]:
    words = _string_list("trigger_words", value, "words")
    for word in words:
        # A post's first word never holds whitespace, so such a trigger could never fire.
        if not word or word != "".join(word.split()):
            detail = f"{word!r} is empty or holds whitespace"
            raise _invalid("trigger_words", "Invalid trigger words.", detail)
    return words


def _callback_urls(value: Any) -> list[str]:
    urls = _string_list("callback_urls", value, "callback")
    if not urls:
        raise _invalid("callback", "Invalid callback urls.", "callback_urls needs at least one URL")
    for url in urls:
        try:
            check_url(url, "callback_urls")
        except AppError as error:
            raise _invalid("url", "Invalid callback URL.", error.detailed_error) from None
    return urls


def _trigger_when(value: Any) -> int:
    if value is None:
        return TRIGGER_WHEN_EXACT
    if value not in (TRIGGER_WHEN_EXACT, TRIGGER_WHEN_STARTS_WITH) or isinstance(value, bool):
        detail = "trigger_when is 0 (the first word is a trigger word) or 1 (it starts with one)"
        raise _invalid("trigger_when", "Invalid trigger when.", detail)
    return int(value)


def _content_type(value: Any) -> str:
    if value in (None, ""):
        return FORM_CONTENT_TYPE
    if value not in (FORM_CONTENT_TYPE, JSON_CONTENT_TYPE):
        detail = f"content_type is {FORM_CONTENT_TYPE} or {JSON_CONTENT_TYPE}"
        raise _invalid("content_type", "Invalid content type.", detail)
    return value


_PARSERS = {
    "trigger_words": _trigger_words,
    "callback_urls": _callback_urls,
    "trigger_when": _trigger_when,
    "content_type": _content_type,
}


def _field_changes(fields: dict[str, Any], *, creating: bool) -> dict[str, Any]:
    """The settable fields given (all of them when creating, defaults filling the gaps). When updating,
    a null list, trigger_when or content_type is left as it was, and a null text field is emptied (as
    for incoming hooks)."""
    changes = {
        name: parse(fields.get(name))
        for name, parse in _PARSERS.items()
        if creating or fields.get(name) is not None
    }
    changes.update(text_changes(fields, _TEXT_LIMITS, creating=creating))
    if not creating and fields.get("disabled_reason") is not None:
        reason = validation.limited_str(
            "disabled_reason",
            fields["disabled_reason"],
            MAX_DISABLED_REASON,
            "model.outgoing_hook.is_valid.disabled_reason.app_error",
        )
        changes["disabled_reason"] = reason
        if not reason:
            # Switched back on: the delivery engine counts failures afresh.
            changes["consecutive_failures"] = 0
    return changes


@dataclass(frozen=True)
class _Listener:
    """What a post needs of a live hook to decide whether it triggers and where it is sent."""

    id: str
    channel_id: str
    trigger_words: tuple[str, ...]
    trigger_when: int
    callback_urls: tuple[str, ...]
    content_type: str
    token: str

    @classmethod
    def of(cls, hook: models.OutgoingWebhook) -> _Listener:
        return cls(
            hook.id,
            hook.channel_id,
            tuple(hook.trigger_words),
            hook.trigger_when,
            tuple(hook.callback_urls),
            hook.content_type,
            hook.token,
        )


class OutgoingWebhookService(PostHook):
    """Outgoing webhooks. As a post hook it queues a delivery to every hook a new post triggers, in the
    post's transaction."""

    def __init__(self, hub: Hub) -> None:
        self.hub = hub
        self.rows = Integrations(
            hub,
            models.OutgoingWebhook,
            enabled_setting="EnableOutgoingWebhooks",
            disabled=lambda: AppError(
                "api.outgoing_webhook.disabled.app_error",
                "Outgoing webhooks have been disabled by the system admin.",
                501,
            ),
            id_name="hook_id",
            not_found=hook_not_found,
        )
        # Every post of a public channel asks which hooks listen to its team; most teams have none.
        self._listening: RowCache[str, tuple[_Listener, ...]] = hub.store.add_cache(
            RowCache(("outgoing_webhooks",), summarised=("outgoing_webhooks",))
        )

    def _hook_channel_id(self, s: Session, team_id: str, channel_id: Any) -> str:
        """No channel (the whole team), or a public channel of the hook's team: a hook would reveal
        the posts of a private channel to its callback."""
        if not validation.require_str("channel_id", channel_id):
            return ""
        channel = self.hub.channels.load(s, channel_id)
        if channel.type != "O":
            raise AppError(
                "api.webhook.create_outgoing.not_open.app_error",
                "Outgoing webhooks can only be created for public channels.",
                403,
                f"channel {channel.id} is not public",
            )
        if channel.team_id != team_id:
            raise AppError(
                "api.webhook.create_outgoing.permissions.app_error",
                "Invalid permissions to create outgoing webhook.",
                403,
                f"channel {channel.id} is not in team {team_id}",
            )
        return channel.id

    def _creator_id(self, s: Session, actor: Actor, team_id: str, creator_id: Any) -> str:
        """The hook's answers are posted as its creator: the actor, or another account a team admin
        names (Mattermost's creator_id on create)."""
        if creator_id in (None, ""):
            if not actor.user_id:
                raise invalid_param("creator_id", "name the account the hook's answers are posted as")
            creator_id = actor.user_id
        creator = self.hub.users.load(s, validation.require_id("creator_id", creator_id))
        self._require_creator(s, actor, creator, team_id)
        return creator.id

    def _require_creator(self, s: Session, actor: Actor, creator: models.User, team_id: str) -> None:
        # Outgoing hooks listen to public channels only: the team is where the answers may go.
        require_integration_owner(s, actor, creator, team_id, None, kind=OUTGOING_WEBHOOK, field="creator_id")

    def _check_triggers(self, s: Session, hook: models.OutgoingWebhook, overlap_error_id: str) -> None:
        """A hook listens to a channel or to trigger words; two hooks of one channel (or of the whole
        team) may not send one trigger word to one URL twice."""
        if not hook.channel_id and not hook.trigger_words:
            raise AppError(
                "api.webhook.create_outgoing.triggers.app_error",
                "Either trigger_words or channel_id must be set.",
                400,
                "a hook without a channel needs trigger words",
            )
        others = s.scalars(
            select(models.OutgoingWebhook).where(
                models.OutgoingWebhook.team_id == hook.team_id,
                models.OutgoingWebhook.channel_id == hook.channel_id,
                models.OutgoingWebhook.delete_at == 0,
                models.OutgoingWebhook.id != hook.id,
            )
        )
        for other in others:
            words = set(other.trigger_words) & set(hook.trigger_words)
            urls = set(other.callback_urls) & set(hook.callback_urls)
            if words and urls:
                raise AppError(
                    overlap_error_id,
                    "Another outgoing webhook already sends these trigger words to these callback URLs.",
                    400,
                    f"hook {other.id} sends {sorted(words)} to {sorted(urls)}",
                )

    # ---- management ------------------------------------------------------------------
    def create(self, actor: Actor, fields: dict[str, Any]) -> models.OutgoingWebhook:
        self.rows.require_enabled()
        changes = _field_changes(fields, creating=True)
        with self.hub.store.write() as s:
            team = self.hub.teams.load(s, validation.require_id("team_id", fields.get("team_id")))
            require_team_admin(s, actor, team.id)
            now = now_ms()
            hook = models.OutgoingWebhook(
                id=new_id(),
                token=new_id(),
                signing_secret=new_signing_secret(),
                create_at=now,
                update_at=now,
                delete_at=0,
                creator_id=self._creator_id(s, actor, team.id, fields.get("creator_id")),
                channel_id=self._hook_channel_id(s, team.id, fields.get("channel_id")),
                team_id=team.id,
                consecutive_failures=0,
                disabled_reason="",
                **changes,
            )
            self._check_triggers(s, hook, "api.webhook.create_outgoing.intersect.app_error")
            s.add(hook)
            return hook

    def list(self, actor: Actor, query: dict[str, Any]) -> list[models.OutgoingWebhook]:
        """A channel's or a team's hooks for its team admins; every hook for system admins."""
        self.rows.require_enabled()
        page, per_page = validation.paging(query.get("page"), query.get("per_page"))
        team_id = query.get("team_id") or ""
        channel_id = query.get("channel_id") or ""
        with self.hub.store.read() as s:
            stmt = select(models.OutgoingWebhook).where(models.OutgoingWebhook.delete_at == 0)
            if channel_id:
                channel = self.hub.channels.load(s, channel_id)
                require_team_admin(s, actor, channel.team_id)
                stmt = stmt.where(models.OutgoingWebhook.channel_id == channel.id)
            if team_id:
                self.hub.teams.load(s, validation.require_id("team_id", team_id))
                require_team_admin(s, actor, team_id)
                stmt = stmt.where(models.OutgoingWebhook.team_id == team_id)
            if not (channel_id or team_id):
                require_admin(actor)
            stmt = stmt.order_by(models.OutgoingWebhook.create_at, models.OutgoingWebhook.id)
            return list(s.scalars(stmt.offset(page * per_page).limit(per_page)))

    def get(self, actor: Actor, hook_id: str) -> models.OutgoingWebhook:
        return self.rows.get(actor, hook_id)

    def update(self, actor: Actor, hook_id: str, fields: dict[str, Any]) -> models.OutgoingWebhook:
        """PUT: the fields given replace the hook's; the team and the creator stay. An empty
        disabled_reason switches a hook the delivery engine turned off back on."""
        self.rows.require_enabled()
        if fields.get("id") != hook_id:
            raise invalid_param("hook_id", "the body's id must be the id in the path")
        changes = _field_changes(fields, creating=False)
        with self.hub.store.write() as s:
            hook = self.rows.managed(s, actor, hook_id)
            if fields.get("team_id") not in (None, "", hook.team_id):
                raise AppError(
                    "api.webhook.team_mismatch.app_error",
                    "A webhook cannot move to another team.",
                    400,
                    f"the hook is in team {hook.team_id}",
                )
            self._require_creator(s, actor, self.hub.users.load(s, hook.creator_id), hook.team_id)
            if "channel_id" in fields:
                hook.channel_id = self._hook_channel_id(s, hook.team_id, fields["channel_id"])
            for name, value in changes.items():
                setattr(hook, name, value)
            self._check_triggers(s, hook, "api.webhook.update_outgoing.intersect.app_error")
            hook.update_at = now_ms()
            return hook

    def regenerate_token(self, actor: Actor, hook_id: str) -> models.OutgoingWebhook:
        return self.rows.regenerate_token(actor, hook_id)

    def regenerate_signing_secret(self, actor: Actor, hook_id: str) -> models.OutgoingWebhook:
        return self.rows.regenerate_signing_secret(actor, hook_id)

    def delete(self, actor: Actor, hook_id: str) -> None:
        self.rows.delete(actor, hook_id)

    # ---- deliveries ------------------------------------------------------------------
    def has_been_posted(self, s: Session, channel: models.Channel, post: models.Post) -> None:
        """In the post's own transaction: a delivery to every callback URL of every live hook the post
        triggers. Posts made by webhooks (answers included) and system messages trigger nothing."""
        if (
            channel.type != "O"
            or not self.hub.config["ServiceSettings"]["EnableOutgoingWebhooks"]
            or (post.props or {}).get("from_webhook") == "true"
            or post.type
        ):
            return
        team = author = None
        for hook in self._listeners(s, channel.team_id):
            if hook.channel_id and hook.channel_id != channel.id:
                continue
            word = trigger_word(post.message, hook.trigger_words, hook.trigger_when, bool(hook.channel_id))
            if word is None:
                continue
            team = team or self.hub.teams.load(s, channel.team_id)
            author = author or self.hub.users.load(s, post.user_id)
            triggered = TriggeredPost(
                token=hook.token,
                team_id=team.id,
                team_domain=team.name,
                channel_id=channel.id,
                channel_name=channel.name,
                timestamp=post.create_at,
                user_id=author.id,
                user_name=author.username,
                post_id=post.id,
                text=post.message,
                trigger_word=word,
                file_ids=list(post.file_ids or []),
            )
            context = {"channel_id": channel.id, "post_id": post.id, "root_id": post.root_id or post.id}
            for url in hook.callback_urls:
                self.hub.deliveries.enqueue(
                    s,
                    KIND,
                    hook.id,
                    url,
                    content_type=hook.content_type,
                    body=triggered.body(hook.content_type),
                    context=context,
                )

    def _listeners(self, s: Session, team_id: str) -> tuple[_Listener, ...]:
        return self._listening.read(team_id, lambda: self._read_listeners(s, team_id))

    def _read_listeners(
        self, s: Session, team_id: str
    ) -> tuple[tuple[_Listener, ...], builtins.list[Row] | None]:
        hooks = s.scalars(
            select(models.OutgoingWebhook).where(
                models.OutgoingWebhook.team_id == team_id,
                models.OutgoingWebhook.delete_at == 0,
                models.OutgoingWebhook.disabled_reason == "",
            )
        )
        listeners = tuple(_Listener.of(hook) for hook in hooks)
        if has_uncommitted_changes(s):
            return listeners, None
        return listeners, [("outgoing_webhooks", hook.id) for hook in listeners]

    def deliveries(self, actor: Actor, hook_id: str, query: dict[str, Any]) -> builtins.list[dict[str, Any]]:
        """The delivery log: newest first, each with its attempts (request and answer redacted)."""
        self.rows.require_enabled()
        page, per_page = validation.paging(query.get("page"), query.get("per_page"))
        with self.hub.store.read() as s:
            hook = self.rows.managed(s, actor, hook_id)
            return [delivery_to_api(d, a) for d, a in self.hub.deliveries.log(s, hook.id, page, per_page)]

    def redeliver(self, actor: Actor, hook_id: str, delivery_id: str) -> dict[str, Any]:
        self.rows.require_enabled()
        with self.hub.store.write() as s:
            hook = self.rows.managed(s, actor, hook_id)
            delivery = s.get(models.Delivery, validation.require_id("delivery_id", delivery_id))
            if delivery is None or delivery.source_id != hook.id:
                raise AppError(
                    "app.delivery.get.app_error",
                    "Unable to get the delivery.",
                    404,
                    f"delivery_id={delivery_id}",
                )
            return delivery_to_api(self.hub.deliveries.redeliver(s, delivery), [])

    def send_test(self, actor: Actor, hook_id: str) -> builtins.list[dict[str, Any]]:
        """Queues a sample request (trigger word "test", no post) to each callback URL; its answer is not
        posted back."""
        self.rows.require_enabled()
        with self.hub.store.write() as s:
            hook = self.rows.managed(s, actor, hook_id)
            team = self.hub.teams.load(s, hook.team_id)
            user = self.hub.users.load(s, actor.user_id) if actor.user_id else None
            sample = TriggeredPost(
                token=hook.token,
                team_id=team.id,
                team_domain=team.name,
                channel_id=hook.channel_id,
                channel_name="",
                timestamp=now_ms(),
                user_id=user.id if user else "",
                user_name=user.username if user else "",
                post_id="",
                text=f"{(hook.trigger_words or ['test'])[0]} This is a test delivery from Hubbub.",
                trigger_word=(hook.trigger_words or [""])[0],
            )
            made = [
                self.hub.deliveries.enqueue(
                    s,
                    KIND,
                    hook.id,
                    url,
                    content_type=hook.content_type,
                    body=sample.body(hook.content_type),
                    context={"test": True},
                )
                for url in hook.callback_urls
            ]
            return [delivery_to_api(d, []) for d in made]


class OutgoingWebhookDeliveries:
    """The delivery kind of outgoing webhooks (hub.services.deliveries.DeliveryKind)."""

    name = KIND

    def signing_secret(self, s: Session, delivery: models.Delivery) -> str | None:
        hook = s.get(models.OutgoingWebhook, delivery.source_id)
        if hook is None or hook.delete_at or hook.disabled_reason:
            return None
        return hook.signing_secret

    def answered(self, hub: Hub, delivery: models.Delivery, response: OutboundResponse) -> None:
        """A JSON answer with text or attachments is posted as the hook's creator: in the channel, or as
        a reply in the post's thread for `response_type: comment`."""
        answer = parse_answer(response.body)
        if answer is None or not answer.posts_something or delivery.context.get("test"):
            return
        settings = hub.config["ServiceSettings"]
        with hub.store.write() as s:
            hook = s.get(models.OutgoingWebhook, delivery.source_id)
            channel = s.get(models.Channel, delivery.context.get("channel_id", ""))
            if hook is None or channel is None or channel.delete_at:
                return
            creator = hub.users.load(s, hook.creator_id)
            if not creator.is_active or not owner_is_member(s, creator.id, hook.team_id, channel):
                logger.info("hook %s: its creator %s may not post here; answer dropped", hook.id, creator.id)
                return
            props: dict[str, Any] = {
                **client_props(answer.props),
                "from_webhook": "true",
                "webhook_display_name": hook.display_name,
                **override_props(
                    settings, answer.username or hook.username, answer.icon_url or hook.icon_url
                ),
            }
            post_type = answer.type if answer.type.startswith(CUSTOM_TYPE_PREFIX) else ""
            root_id = delivery.context.get("root_id", "") if answer.response_type == COMMENT else ""
            if root_id and s.get(models.Post, root_id) is None:
                root_id = ""
            text = slack_text_to_markdown(answer.text)
            hub.posts.post_answer(
                s, channel, creator.id, Answer(text, props, post_type, answer.attachments), root_id=root_id
            )

    def record_outcome(self, hub: Hub, s: Session, delivery: models.Delivery, succeeded: bool) -> None:
        hook = s.get(models.OutgoingWebhook, delivery.source_id)
        if hook is None:
            return
        if succeeded:
            hook.consecutive_failures = 0
            return
        hook.consecutive_failures += 1
        limit = hub.config["ServiceSettings"]["OutgoingIntegrationMaxConsecutiveFailures"]
        if hook.consecutive_failures < limit or hook.disabled_reason:
            return
        hook.disabled_reason = (
            f"switched off after {hook.consecutive_failures} failed deliveries in a row; last: "
            f"{delivery.last_error or f'HTTP {delivery.last_status}'}"
        )[:MAX_DISABLED_REASON]
        hook.update_at = now_ms()
        channel_id = hook.channel_id or delivery.context.get("channel_id", "")
        if channel_id:
            hub.posts.show_ephemeral(
                hook.creator_id,
                channel_id,
                hook.creator_id,
                f'The outgoing webhook "{hook.display_name or hook.id}" was {hook.disabled_reason}. '
                "Fix its callback and clear disabled_reason to switch it back on.",
                EPHEMERAL_TYPE,
                {},
            )


OUTGOING_WEBHOOK_DELIVERIES = OutgoingWebhookDeliveries()
