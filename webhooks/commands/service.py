"""Slash commands: custom commands managed by team admins, and the execution of `/trigger text`,
answered by a custom command's URL or by a built-in (custom commands win, as in Mattermost)."""

from __future__ import annotations

import builtins
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import urlencode

from sqlalchemy import CursorResult, select, update
from sqlalchemy.orm import Session

from hub import jsonsafe, models, validation
from hub.answers import Answer, slack_text_to_markdown
from hub.errors import AppError, forbidden, invalid_param
from hub.extensions import EPHEMERAL, IN_CHANNEL, CommandCall, CommandResponse, ProvidedCommand
from hub.ids import is_valid_id, new_id, now_ms
from hub.integrations import client_location
from hub.outbound import OutboundError, OutboundPolicy, check_url, send
from hub.permissions import (
    Actor,
    is_team_admin,
    require_channel_member,
    require_read_channel,
    require_team_admin,
    team_member,
)
from hub.security import new_signing_secret
from hub.services.posts import (
    CUSTOM_TYPE_PREFIX,
    EPHEMERAL_TYPE,
    client_props,
    override_props,
    refuse_deleted_channel,
)
from hub.signing import signed_headers
from webhooks import actions
from webhooks.management import Integrations, TextLimit, text_changes

if TYPE_CHECKING:
    from hub.services import Hub

logger = logging.getLogger(__name__)

# Mattermost's limits on a command's response_url: a few answers within half an hour.
RESPONSE_URL_LIFETIME_MS = 30 * 60 * 1000
RESPONSE_URL_MAX_USES = 5
MAX_TRIGGER_LENGTH = 128
_TEXT_LIMITS = {
    name: TextLimit(limit, f"model.command.is_valid.{name}.app_error")
    for name, limit in (
        ("display_name", 64),
        ("description", 128),
        ("username", 64),
        ("icon_url", 1024),
        ("auto_complete_desc", 1024),
        ("auto_complete_hint", 1024),
    )
}


def to_api(command: models.Command) -> dict[str, Any]:
    return {
        "id": command.id,
        "token": command.token,
        "create_at": command.create_at,
        "update_at": command.update_at,
        "delete_at": command.delete_at,
        "creator_id": command.creator_id,
        "team_id": command.team_id,
        "trigger": command.trigger,
        "method": command.method,
        "username": command.username,
        "icon_url": command.icon_url,
        "auto_complete": command.auto_complete,
        "auto_complete_desc": command.auto_complete_desc,
        "auto_complete_hint": command.auto_complete_hint,
        "display_name": command.display_name,
        "description": command.description,
        "url": command.url,
        "plugin_id": "",
    }


def to_api_with_signing_secret(command: models.Command) -> dict[str, Any]:
    """The answer to a create: with regen_signing_secret's, the only one that shows the command's signing
    secret; its URL's owner keeps it, and it never travels again."""
    return {**to_api(command), "signing_secret": command.signing_secret}


def sanitized(data: dict[str, Any]) -> dict[str, Any]:
    """What a team member who may not manage commands sees (Mattermost's Command.Sanitize)."""
    return {**data, "token": "", "creator_id": "", "method": "", "url": "", "username": "", "icon_url": ""}


def provided_to_api(command: ProvidedCommand, team_id: str) -> dict[str, Any]:
    """A provided command (a built-in, a bot's) as the command lists show it: no id, no URL, always
    autocompleted."""
    return {
        "id": "",
        "token": "",
        "create_at": 0,
        "update_at": 0,
        "delete_at": 0,
        "creator_id": "",
        "team_id": team_id,
        "trigger": command.trigger,
        "method": "",
        "username": "",
        "icon_url": "",
        "auto_complete": True,
        "auto_complete_desc": command.auto_complete_desc,
        "auto_complete_hint": command.auto_complete_hint,
        "display_name": command.display_name,
        "description": "",
        "url": "",
        "plugin_id": "",
    }


def command_not_found(detail: str) -> AppError:
    return AppError("app.command.getcommand.app_error", "Unable to get the command.", 404, detail)


def _trigger(value: Any) -> str:
    trigger = validation.require_str("trigger", value).strip()
    if not 1 <= len(trigger) <= MAX_TRIGGER_LENGTH or trigger.startswith("/") or " " in trigger:
        raise AppError(
            "model.command.is_valid.trigger.app_error",
            "Invalid trigger.",
            400,
            f"a trigger has 1 to {MAX_TRIGGER_LENGTH} characters, no spaces and no leading slash",
        )
    return trigger.lower()


def _field_changes(fields: dict[str, Any], *, creating: bool) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    if creating or "trigger" in fields:
        changes["trigger"] = _trigger(fields.get("trigger"))
    if creating or "url" in fields:
        url = validation.require_str("url", fields.get("url"), max_len=1024)
        if not url:
            raise AppError("model.command.is_valid.url.app_error", "Invalid URL.", 400, "url is required")
        check_url(url)
        changes["url"] = url
    if creating or "method" in fields:
        method = fields.get("method") or "P"
        if method not in ("P", "G"):
            raise AppError(
                "model.command.is_valid.method.app_error", "Invalid method.", 400, "method is P or G"
            )
        changes["method"] = method
    changes.update(text_changes(fields, _TEXT_LIMITS, creating=creating))
    if fields.get("auto_complete") is not None:
        changes["auto_complete"] = validation.require_bool("auto_complete", fields["auto_complete"])
    return changes


@dataclass(frozen=True)
class _Execution:
    """Who ran a command where: the context every answer (immediate or through response_url) goes to."""

    user: models.User
    team: models.Team | None
    channel: models.Channel
    root_id: str
    command: models.Command | None  # None for a built-in

    @property
    def actor(self) -> Actor:
        return Actor(self.user.id, self.user.roles)


class CommandService:
    def __init__(self, hub: Hub) -> None:
        self.hub = hub
        self.rows = Integrations(
            hub,
            models.Command,
            enabled_setting="EnableCommands",
            disabled=lambda: AppError(
                "api.command.disabled.app_error", "Commands have been disabled by the system admin.", 501
            ),
            id_name="command_id",
            not_found=command_not_found,
        )

    def _refuse_duplicate(self, s: Session, team_id: str, trigger: str, own_id: str = "") -> None:
        taken = s.scalar(
            select(models.Command.id).where(
                models.Command.team_id == team_id,
                models.Command.trigger == trigger,
                models.Command.delete_at == 0,
                models.Command.id != own_id,
            )
        )
        if taken is not None:
            raise AppError(
                "api.command.duplicate_trigger.app_error",
                "This trigger word is already in use.",
                400,
                f"trigger={trigger}",
            )

    # ---- management ------------------------------------------------------------------
    def create(self, actor: Actor, fields: dict[str, Any]) -> models.Command:
        self.rows.require_enabled()
        changes = _field_changes(fields, creating=True)
        team_id = validation.require_id("team_id", fields.get("team_id"))
        with self.hub.store.write() as s:
            self.hub.teams.load(s, team_id)
            require_team_admin(s, actor, team_id)
            self._refuse_duplicate(s, team_id, changes["trigger"])
            now = now_ms()
            command = models.Command(
                id=new_id(),
                token=new_id(),
                signing_secret=new_signing_secret(),
                create_at=now,
                update_at=now,
                delete_at=0,
                creator_id=actor.user_id,
                team_id=team_id,
                auto_complete=False,
            )
            for name, value in changes.items():
                setattr(command, name, value)
            s.add(command)
            return command

    def list(self, actor: Actor, team_id: Any, custom_only: bool) -> list[dict[str, Any]]:
        """GET /commands?team_id=: a team admin sees the team's custom commands (and the built-ins
        unless custom_only); a member sees the built-ins and the custom commands, sanitised."""
        team_id = validation.require_id("team_id", team_id)
        with self.hub.store.read() as s:
            may_manage = self._require_team_view(s, actor, team_id, manage=custom_only)
            customs = [to_api(c) for c in self._team_commands(s, team_id)] if self.rows.enabled else []
        if not may_manage:
            customs = [sanitized(c) for c in customs]
        if custom_only:
            return customs
        return [provided_to_api(b, team_id) for b in self._provided_shadowed_by(team_id, customs)] + customs

    def autocomplete(self, actor: Actor, team_id: str) -> builtins.list[dict[str, Any]]:
        """GET /teams/{id}/commands/autocomplete: what the `/` menu offers a team member."""
        validation.require_id("team_id", team_id)
        with self.hub.store.read() as s:
            self._require_team_view(s, actor, team_id, manage=False)
            listed = self._team_commands(s, team_id) if self.rows.enabled else []
        customs = [sanitized(to_api(c)) for c in listed if c.auto_complete]
        return [provided_to_api(b, team_id) for b in self._provided_shadowed_by(team_id, customs)] + customs

    def _require_team_view(self, s: Session, actor: Actor, team_id: str, *, manage: bool) -> bool:
        """Team members see the team's commands; answers whether the actor may also manage them."""
        self.hub.teams.load(s, team_id)
        may_manage = is_team_admin(s, actor, team_id)
        if not may_manage and (manage or team_member(s, team_id, actor.user_id) is None):
            raise forbidden(
                f"team admin role required on team {team_id}" if manage else f"not in team {team_id}"
            )
        return may_manage

    def _provided_shadowed_by(
        self, team_id: str, customs: builtins.list[dict[str, Any]]
    ) -> builtins.list[ProvidedCommand]:
        """The commands the providers answer (built-ins, bots) that no custom command of the team hides."""
        taken = {c["trigger"] for c in customs}
        provided = self.hub.extensions.provided_commands(team_id)
        return [command for trigger, command in sorted(provided.items()) if trigger not in taken]

    def _team_commands(self, s: Session, team_id: str) -> builtins.list[models.Command]:
        return list(
            s.scalars(
                select(models.Command)
                .where(models.Command.team_id == team_id, models.Command.delete_at == 0)
                .order_by(models.Command.trigger, models.Command.id)
            )
        )

    def get(self, actor: Actor, command_id: str) -> models.Command:
        return self.rows.get(actor, command_id)

    def update(self, actor: Actor, command_id: str, fields: dict[str, Any]) -> models.Command:
        self.rows.require_enabled()
        if fields.get("id") != command_id:
            raise invalid_param("command_id", "the body's id must be the id in the path")
        if fields.get("team_id") not in (None, ""):
            validation.require_id("team_id", fields["team_id"])
        changes = _field_changes(fields, creating=False)
        with self.hub.store.write() as s:
            command = self.rows.managed(s, actor, command_id)
            if fields.get("team_id") not in (None, "", command.team_id):
                raise invalid_param("team_id", "a command stays in its team")
            if "trigger" in changes:
                self._refuse_duplicate(s, command.team_id, changes["trigger"], command.id)
            for name, value in changes.items():
                setattr(command, name, value)
            command.update_at = now_ms()
            return command

    def delete(self, actor: Actor, command_id: str) -> None:
        self.rows.delete(actor, command_id)

    def regenerate_token(self, actor: Actor, command_id: str) -> str:
        return self.rows.regenerate_token(actor, command_id).token

    def regenerate_signing_secret(self, actor: Actor, command_id: str) -> str:
        return self.rows.regenerate_signing_secret(actor, command_id).signing_secret

    # ---- execution ---------------------------------------------------------------------
    def execute(self, actor: Actor, body: dict[str, Any]) -> CommandResponse:
        """POST /commands/execute: runs `/trigger text` in a channel and applies the answer."""
        text = validation.require_str("command", body.get("command")).strip()
        if len(text) < 2 or not text.startswith("/"):
            raise AppError(
                "api.command.execute_command.start.app_error",
                "No command trigger found.",
                400,
                f"command={text!r}",
            )
        trigger, _, arguments = text[1:].partition(" ")
        trigger = trigger.lower()
        channel_id = validation.require_id("channel_id", body.get("channel_id"))
        root_id = body.get("root_id") or body.get("parent_id") or ""
        if root_id:
            validation.require_id("root_id", root_id)
        with self.hub.store.read() as s:
            execution = self._execution(s, actor, channel_id, body.get("team_id"), root_id, trigger)
        call = CommandCall(
            actor=actor,
            team_id=execution.team.id if execution.team else "",
            channel_id=channel_id,
            root_id=root_id,
            trigger=trigger,
            text=arguments.strip(),
            site_url=self.hub.config.site_url,
        )
        if execution.command is not None:
            response = self._call_integration(execution, call)
        else:
            provided = self.hub.extensions.provided_commands(call.team_id).get(trigger)
            if provided is None:
                raise AppError(
                    "api.command.execute_command.not_found.app_error",
                    f"Command with a trigger of '{trigger}' not found.",
                    404,
                    f"trigger={trigger}",
                )
            response = provided.execute(self.hub, call)
        self._apply(execution, response)
        return response

    def _execution(
        self, s: Session, actor: Actor, channel_id: str, team_id: Any, root_id: str, trigger: str
    ) -> _Execution:
        channel = self.hub.channels.load(s, channel_id)
        require_read_channel(s, actor, channel)
        require_channel_member(s, actor, channel)
        # A direct or group channel has no team: the client names the team the user is looking at.
        if channel.team_id:
            team_id = channel.team_id
        elif team_id not in (None, ""):
            validation.require_id("team_id", team_id)
        team = s.get(models.Team, team_id) if team_id else None
        if team is not None and team_member(s, team.id, actor.user_id) is None and not actor.is_system_admin:
            team = None
        command = None
        if team is not None and self.rows.enabled:
            command = s.scalar(
                select(models.Command).where(
                    models.Command.team_id == team.id,
                    models.Command.trigger == trigger,
                    models.Command.delete_at == 0,
                )
            )
        return _Execution(self.hub.users.load(s, actor.user_id), team, channel, root_id, command)

    def _call_integration(self, execution: _Execution, call: CommandCall) -> CommandResponse:
        """Calls the custom command's URL (no transaction is open meanwhile) and reads its answer."""
        command = execution.command
        assert command is not None and execution.team is not None
        response_url = self._open_response_url(execution)
        fields = {
            "channel_id": execution.channel.id,
            "channel_name": execution.channel.name,
            "command": f"/{command.trigger}",
            "response_url": response_url,
            "team_domain": execution.team.name,
            "team_id": execution.team.id,
            "text": call.text,
            "token": command.token,
            "trigger_id": actions.service(self.hub).issue_trigger_id(execution.user.id)[1],
            "user_id": execution.user.id,
            "user_name": execution.user.username,
        }
        encoded = urlencode(fields).encode()
        headers = {
            "Accept": "application/json",
            "Authorization": f"Token {command.token}",
            **signed_headers(command.signing_secret, encoded),
        }
        url, body = command.url, None
        if command.method == "G":
            url += ("&" if "?" in url else "?") + encoded.decode()
        else:
            body = encoded
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            answer = send(
                "GET" if command.method == "G" else "POST",
                url,
                body=body,
                headers=headers,
                policy=OutboundPolicy.from_config(self.hub.config),
            )
        except OutboundError as error:
            logger.info("command /%s (%s) failed: %s", command.trigger, command.id, error)
            raise _command_failed(command.trigger, error.detail) from None
        if not 200 <= answer.status < 300:
            raise _command_failed(command.trigger, f"the integration answered HTTP {answer.status}")
        return parse_command_response(answer.body, answer.headers.get("content-type", ""))

    def _open_response_url(self, execution: _Execution) -> str:
        assert execution.command is not None
        with self.hub.store.write() as s:
            hook = models.CommandWebhook(
                id=new_id(),
                create_at=now_ms(),
                command_id=execution.command.id,
                user_id=execution.user.id,
                channel_id=execution.channel.id,
                root_id=execution.root_id,
                use_count=0,
            )
            s.add(hook)
        # Built from SiteURL, never from the request's Host header.
        return f"{self.hub.config.site_url}/hooks/commands/{hook.id}"

    def respond_later(self, hook_id: str, body: bytes, content_type: str) -> None:
        """POST /hooks/commands/{id}: a delayed answer through the command's response_url."""
        response = parse_command_response(body, content_type)
        with self.hub.store.write() as s:
            hook = s.get(models.CommandWebhook, hook_id) if is_valid_id(hook_id) else None
            if hook is None or hook.create_at < now_ms() - RESPONSE_URL_LIFETIME_MS:
                # Mattermost's answer for a response_url it does not know, or no longer (expired).
                raise AppError(
                    "app.command_webhook.get.missing",
                    "Unable to find the webhook.",
                    404,
                    f"hook_id={hook_id}",
                )
            # One conditional UPDATE counts the use: answers that read the count and wrote it back plus one
            # could all read the same count at once and together pass the limit.
            count_use = (
                update(models.CommandWebhook)
                .where(
                    models.CommandWebhook.id == hook.id,
                    models.CommandWebhook.use_count < RESPONSE_URL_MAX_USES,
                )
                .values(use_count=models.CommandWebhook.use_count + 1)
                .execution_options(synchronize_session=False)
            )
            # An UPDATE answers a CursorResult, which Session.execute's types do not promise.
            counted = cast(CursorResult[Any], s.execute(count_use)).rowcount
            if not counted:
                raise AppError(
                    "app.command_webhook.try_use.invalid.app_error",
                    "Invalid webhook.",
                    400,
                    f"a response_url takes at most {RESPONSE_URL_MAX_USES} answers",
                )
            command = s.get(models.Command, hook.command_id)
            user = self.hub.users.load(s, hook.user_id)
            channel = self.hub.channels.load(s, hook.channel_id)
            team = s.get(models.Team, channel.team_id) if channel.team_id else None
        if command is None or command.delete_at or not user.is_active:
            raise AppError(
                "app.command_webhook.invalid.app_error", "Invalid webhook.", 400, "the command is gone"
            )
        self._apply(_Execution(user, team, channel, hook.root_id, command), response)

    # ---- answers -----------------------------------------------------------------------
    def _apply(self, execution: _Execution, response: CommandResponse) -> None:
        for answer in (response, *response.extra_responses):
            if answer.response_type == IN_CHANNEL:
                self._post_answer(execution, answer)
            elif answer.text or answer.attachments:
                self._show_answer(execution, answer)

    def _answer(self, execution: _Execution, answer: CommandResponse) -> Answer:
        """The posts Mattermost makes of a command's answer."""
        settings = self.hub.config["ServiceSettings"]
        text = answer.text if answer.skip_slack_parsing else slack_text_to_markdown(answer.text)
        props: dict[str, Any] = dict(answer.props)
        command = execution.command
        if command is not None:
            props["from_webhook"] = "true"
            if answer.type and not answer.type.startswith(CUSTOM_TYPE_PREFIX):
                raise _command_failed(
                    command.trigger, f"a command may not make posts of type {answer.type!r}"
                )
            props.update(
                override_props(
                    settings, answer.username or command.username, answer.icon_url or command.icon_url
                )
            )
        return Answer(text, props, answer.type, answer.attachments)

    def _post_answer(self, execution: _Execution, answer: CommandResponse) -> None:
        with self.hub.store.write() as s:
            channel = self._answer_channel(s, execution, answer.channel_id)
            require_channel_member(s, execution.actor, channel)
            refuse_deleted_channel(channel)
            root_id = execution.root_id if channel.id == execution.channel.id else ""
            self.hub.posts.post_answer(
                s, channel, execution.user.id, self._answer(execution, answer), root_id=root_id
            )

    def _answer_channel(self, s: Session, execution: _Execution, channel_id: str) -> models.Channel:
        """An answer may name another channel the user belongs to; otherwise it goes where the
        command ran."""
        if not channel_id or channel_id == execution.channel.id:
            return self.hub.channels.load(s, execution.channel.id)
        if not is_valid_id(channel_id):
            raise invalid_param("channel_id", "the command's answer names an invalid channel id")
        return self.hub.channels.load(s, channel_id)

    def _show_answer(self, execution: _Execution, answer: CommandResponse) -> None:
        """An ephemeral answer is never split: the client shows it whole to the caller alone."""
        shown = self._answer(execution, answer)
        props = {**shown.props, "attachments": shown.attachments} if shown.attachments else shown.props
        self.hub.posts.show_ephemeral(
            execution.user.id,
            answer.channel_id if is_valid_id(answer.channel_id) else execution.channel.id,
            execution.user.id,
            shown.text,
            EPHEMERAL_TYPE,
            props,
            execution.root_id,
        )


def _command_failed(trigger: str, detail: str) -> AppError:
    # 502: the integration, not the request, failed (Mattermost answers 500 here).
    return AppError(
        "api.command.execute_command.failed.app_error",
        f"Command with a trigger of '{trigger}' failed.",
        502,
        detail,
    )


def parse_command_response(body: bytes, content_type: str) -> CommandResponse:
    """An integration's answer: Mattermost's CommandResponse JSON, or plain text taken as an
    ephemeral message."""
    if content_type.split(";", 1)[0].strip().lower() != "application/json":
        return CommandResponse(EPHEMERAL, body.decode("utf-8", errors="replace"))
    try:
        data = jsonsafe.loads(body)
    except ValueError as exc:
        raise AppError(
            "api.command.execute_command.format.app_error",
            "The command's response is not valid JSON.",
            400,
            str(exc),
        ) from None
    return _response_from(data, depth=0)


def _response_from(data: Any, depth: int) -> CommandResponse:
    if not isinstance(data, dict):
        raise invalid_param("command_response", "a command response is a JSON object")

    def text_field(name: str) -> str:
        value = data.get(name)
        if value is None:
            return ""
        if not isinstance(value, str):
            raise invalid_param("command_response", f"{name} must be a string")
        return value

    props = data.get("props") or {}
    attachments = data.get("attachments")
    extras = data.get("extra_responses") or []
    if not isinstance(props, dict):
        raise invalid_param("command_response", "props must be an object")
    if attachments is not None and (
        not isinstance(attachments, list) or not all(isinstance(a, dict) for a in attachments)
    ):
        raise invalid_param("command_response", "attachments must be a list of objects")
    if not isinstance(extras, list) or (extras and depth > 0):
        raise invalid_param("command_response", "extra_responses must be a list, one level deep")
    response_type = text_field("response_type") or EPHEMERAL
    return CommandResponse(
        response_type=IN_CHANNEL if response_type == IN_CHANNEL else EPHEMERAL,
        text=text_field("text"),
        username=text_field("username"),
        icon_url=text_field("icon_url"),
        channel_id=text_field("channel_id"),
        type=text_field("type"),
        props=client_props(props),
        goto_location=client_location(text_field("goto_location")),
        trigger_id=text_field("trigger_id"),
        skip_slack_parsing=data.get("skip_slack_parsing") is True,
        attachments=attachments,
        extra_responses=tuple(_response_from(extra, depth + 1) for extra in extras),
    )
