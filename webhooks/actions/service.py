"""Interactive messages and dialogs: the buttons and menus of message attachments, and the dialogs an
integration opens with a trigger id.

An action's integration (URL and context) is sealed when its post is written: it moves from the post's
props into `post_actions`, and a click is always sent with that stored copy, so a client that edits the
props can neither redirect a button nor forge its context. Only an integration (a webhook, a command's
or an action's answer) may change the integration of an existing action; a user's edit keeps it.

Trigger ids bind a user to a moment: HMAC-SHA256 with a server secret (kept in `server_secrets`, one for
every process and node) over `client_id:user_id:issued_at`, accepted for a few minutes.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import re
import secrets
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from hub import events, jsonsafe, models, security, validation
from hub.answers import slack_text_to_markdown
from hub.errors import AppError, invalid_param
from hub.extensions import PostHook
from hub.ids import is_valid_id, new_id, now_ms
from hub.integrations import client_location
from hub.outbound import OutboundError, OutboundPolicy, check_url, send
from hub.permissions import Actor, require_read_channel, require_team_member
from hub.services.posts import EPHEMERAL_TYPE, client_props, server_props
from hub.signing import signed_headers
from webhooks.actions.dialogs import check_dialog, submission_errors

if TYPE_CHECKING:
    from hub.services import Hub

logger = logging.getLogger(__name__)

# Mattermost's InteractiveDialogTriggerTimeout: an integration opens its dialog soon after the click.
TRIGGER_ID_LIFETIME_MS = 3 * 60 * 1000
# A user may take a while to fill in a dialog; an older one is refused on submission.
DIALOG_LIFETIME_MS = 24 * 60 * 60 * 1000
# What clients echo back as the dialog's `url`: the integration's own URL never leaves the server.
DIALOG_URL_PREFIX = "dialog:"
ACTION_TYPES = frozenset({"button", "select"})
ACTION_DATA_SOURCES = frozenset({"", "users", "channels"})
_ACTION_ID = re.compile(r"[A-Za-z0-9_-]{1,32}")
_SECRET_NAME = "interactive"


def action_not_found(detail: str) -> AppError:
    return AppError("api.post.do_action.action_id.app_error", "Unable to find the action.", 404, detail)


def integration_failed(detail: str) -> AppError:
    # 502: the integration, not the request, failed (Mattermost answers 400 here).
    return AppError(
        "api.post.do_action.action_integration.app_error",
        "The action's integration did not answer properly.",
        502,
        detail,
    )


def dialog_not_found(detail: str) -> AppError:
    return AppError("api.dialog.submit.not_found.app_error", "This dialog is closed or unknown.", 404, detail)


def _trigger_error(error_id: str, detail: str) -> AppError:
    error_id = f"interactive_message.decode_trigger_id.{error_id}"
    return AppError(error_id, "The trigger id is not valid.", 400, detail)


def _sealed_integration(action_id: str, integration: Any) -> tuple[str, dict[str, Any]] | None:
    """The URL and context an author gave an action, checked; None when it has none."""
    if integration is None:
        return None
    if not isinstance(integration, dict):
        raise invalid_param("props.attachments", f"the integration of action {action_id} must be an object")
    url = integration.get("url")
    if not url:
        return None
    url = validation.require_str("props.attachments", url, max_len=1024)
    check_url(url, "props.attachments")
    context = integration.get("context") or {}
    if not isinstance(context, dict):
        raise invalid_param("props.attachments", f"the context of action {action_id} must be an object")
    return url, context


def _has_actions(props: dict[str, Any]) -> bool:
    attachments = props.get("attachments")
    return isinstance(attachments, list) and any(isinstance(a, dict) and "actions" in a for a in attachments)


class ActionService(PostHook):
    """Interactive buttons, menus and dialogs. As a post hook it seals the integrations of a post's
    actions away from its props (clients never see an action's URL or context)."""

    def __init__(self, hub: Hub) -> None:
        self.hub = hub
        self._secrets: dict[str, bytes] = {}

    # ---- sealing -----------------------------------------------------------------------
    def will_be_posted(self, s: Session, post_id: str, props: dict[str, Any]) -> dict[str, Any]:
        """The props to store for a new post, without integrations; `post_actions` gets them."""
        if not _has_actions(props):
            return props
        return self._seal(s, post_id, props, {}, by_integration=True)

    def will_be_updated(
        self, s: Session, post_id: str, props: dict[str, Any], *, by_integration: bool
    ) -> dict[str, Any]:
        """The props to store for an edited post. An action keeps its sealed URL and context through a
        user's edit; only an integration (`by_integration`) may replace them. Actions left out go."""
        stored = {
            row.action_id: row
            for row in s.scalars(select(models.PostAction).where(models.PostAction.post_id == post_id))
        }
        return self._seal(s, post_id, props, stored, by_integration=by_integration)

    def will_be_shown_ephemeral(
        self, post_id: str, channel_id: str, root_id: str, props: dict[str, Any]
    ) -> dict[str, Any]:
        """The props of an ephemeral post (never stored): its actions are sealed like a stored post's,
        and each carries Mattermost's `cookie`, here a signed reference to the post's channel and
        thread that a click sends back (the integration itself stays on the server). Opens its own
        transaction when there are actions."""
        if not _has_actions(props):
            return props
        with self.hub.store.write() as s:
            props = self._seal(s, post_id, props, {}, by_integration=True)
        cookie = self._make_cookie(post_id, channel_id, root_id or post_id)
        attachments = [
            {**a, "actions": [{**action, "cookie": cookie} for action in a["actions"]]}
            if isinstance(a, dict) and isinstance(a.get("actions"), list)
            else a
            for a in props["attachments"]
        ]
        return {**props, "attachments": attachments}

    def _make_cookie(self, post_id: str, channel_id: str, root_id: str) -> str:
        payload = base64.b64encode(jsonsafe.dumps([post_id, channel_id, root_id]).encode()).decode()
        return f"{payload}.{self._signature('cookie', payload)}"

    def _open_cookie(self, cookie: str, post_id: str) -> tuple[str, str]:
        """(channel id, root id) of the ephemeral post a cookie was made for."""
        payload, _, signature = cookie.partition(".")
        if not security.same(signature, self._signature("cookie", payload)):
            raise invalid_param("cookie", "the cookie was not made by this server")
        cookie_post_id, channel_id, root_id = jsonsafe.loads(base64.b64decode(payload))
        if cookie_post_id != post_id:
            raise invalid_param("cookie", "the cookie belongs to another post")
        return channel_id, root_id

    def _seal(
        self,
        s: Session,
        post_id: str,
        props: dict[str, Any],
        stored: dict[str, models.PostAction],
        *,
        by_integration: bool,
    ) -> dict[str, Any]:
        sealed: dict[str, models.PostAction] = {}
        seen: set[str] = set()
        attachments = props.get("attachments")
        if isinstance(attachments, list):
            attachments = [
                self._seal_attachment(item, stored, sealed, seen, by_integration) for item in attachments
            ]
            props = {**props, "attachments": attachments}
        for action_id, row in stored.items():
            if action_id not in sealed:
                s.delete(row)
        for action_id, row in sealed.items():
            if action_id not in stored:
                row.post_id = post_id
                s.add(row)
        return props

    def _seal_attachment(
        self,
        attachment: Any,
        stored: dict[str, models.PostAction],
        sealed: dict[str, models.PostAction],
        seen: set[str],
        by_integration: bool,
    ) -> Any:
        if not isinstance(attachment, dict) or not isinstance(attachment.get("actions"), list):
            return attachment
        actions = []
        for given in attachment["actions"]:
            if not isinstance(given, dict):
                raise invalid_param("props.attachments", "an action must be an object")
            action = {k: v for k, v in given.items() if k not in ("integration", "cookie")}
            action_id = action.get("id")
            if not isinstance(action_id, str) or not _ACTION_ID.fullmatch(action_id) or action_id in seen:
                action_id = new_id()
            seen.add(action_id)
            action["id"] = action_id
            action_type = action.get("type") or "button"
            data_source = action.get("data_source") or ""
            if action_type not in ACTION_TYPES or data_source not in ACTION_DATA_SOURCES:
                raise invalid_param(
                    "props.attachments",
                    f"action {action_id}: type is button or select, data_source users or channels",
                )
            integration = _sealed_integration(action_id, given.get("integration"))
            row = stored.get(action_id)
            if integration is not None and (row is None or by_integration):
                row = row or models.PostAction(action_id=action_id)
                row.url, row.context = integration
                row.type, row.data_source = action_type, data_source
            if row is not None:
                sealed[action_id] = row
            actions.append(action)
        return {**attachment, "actions": actions}

    # ---- trigger ids -------------------------------------------------------------------
    def _secret(self, name: str) -> bytes:
        """A random server secret, made once and shared through the database by every process."""
        if name not in self._secrets:
            with self.hub.store.read() as s:
                row = s.get(models.ServerSecret, name)
                value = row.value if row is not None else None
            if value is None:
                value = secrets.token_hex(32)
                try:
                    with self.hub.store.write() as s:
                        s.add(models.ServerSecret(name=name, value=value, create_at=now_ms()))
                except IntegrityError:  # another process made it first
                    with self.hub.store.read() as s:
                        value = s.get_one(models.ServerSecret, name).value
            self._secrets[name] = value.encode()
        return self._secrets[name]

    def _signature(self, purpose: str, payload: str) -> str:
        """HMAC-SHA256 with the server secret; `purpose` keeps a cookie from passing for a trigger id."""
        message = f"{purpose}|{payload}".encode()
        digest = hmac.new(self._secret(_SECRET_NAME), message, hashlib.sha256).digest()
        return base64.b64encode(digest).decode()

    def issue_trigger_id(self, user_id: str, *, issued_at: int | None = None) -> tuple[str, str]:
        """(client trigger id, trigger id): the trigger id lets an integration open a dialog for this
        user for a few minutes; Mattermost answers the client part to the clicking client."""
        client_id = new_id()
        payload = f"{client_id}:{user_id}:{issued_at if issued_at is not None else now_ms()}"
        trigger_id = base64.b64encode(f"{payload}:{self._signature('trigger', payload)}".encode()).decode()
        return client_id, trigger_id

    def verify_trigger_id(self, trigger_id: Any) -> tuple[str, str]:
        """(client trigger id, user id) of a trigger id this server issued and that has not expired."""
        if not isinstance(trigger_id, str) or not trigger_id:
            raise _trigger_error("missing_data", "trigger_id is required")
        try:
            decoded = base64.b64decode(trigger_id, validate=True).decode()
        except ValueError:
            raise _trigger_error("base64_decode_failed", "trigger_id is not base64") from None
        parts = decoded.split(":")
        if len(parts) != 4 or not (parts[2].isascii() and parts[2].isdigit()):
            raise _trigger_error("missing_data", "trigger_id does not have its four parts")
        client_id, user_id, issued_at, signature = parts
        expected = self._signature("trigger", f"{client_id}:{user_id}:{issued_at}")
        if not security.same(signature, expected):
            raise _trigger_error("verify_signature_failed", "trigger_id was not issued by this server")
        if now_ms() - int(issued_at) > TRIGGER_ID_LIFETIME_MS:
            raise _trigger_error("expired", f"trigger ids last {TRIGGER_ID_LIFETIME_MS // 1000} s")
        return client_id, user_id

    # ---- calling integrations ----------------------------------------------------------
    def _call(self, url: str, payload: dict[str, Any]) -> dict[str, Any]:
        """POSTs JSON to an integration (no transaction open) and answers its JSON object, {} for an
        empty answer."""
        body = jsonsafe.dumps(payload).encode()
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        signing_secret = self.hub.config["ServiceSettings"]["IntegrationActionsSigningSecret"]
        if signing_secret:
            headers.update(signed_headers(signing_secret, body))
        try:
            policy = OutboundPolicy.from_config(self.hub.config)
            answer = send("POST", url, body=body, headers=headers, policy=policy)
        except OutboundError as error:
            logger.info("integration at %s failed: %s", url, error)
            raise integration_failed(error.detail) from None
        if answer.status != 200:
            raise integration_failed(f"the integration answered HTTP {answer.status}")
        if not answer.body.strip():
            return {}
        try:
            data = jsonsafe.loads(answer.body)
        except ValueError:
            raise integration_failed("the integration's answer is not JSON") from None
        if not isinstance(data, dict):
            raise integration_failed("the integration's answer is not a JSON object")
        return data

    # ---- actions -----------------------------------------------------------------------
    def do_action(self, actor: Actor, post_id: str, action_id: str, body: dict[str, Any]) -> dict[str, Any]:
        """POST /posts/{id}/actions/{action_id}: sends the click to the sealed integration and applies
        its answer (`update`, `ephemeral_text`)."""
        selected_option = validation.require_str("selected_option", body.get("selected_option"), max_len=1024)
        cookie = validation.require_str("cookie", body.get("cookie"), max_len=4096)
        with self.hub.store.read() as s:
            ephemeral = cookie and is_valid_id(post_id) and s.get(models.Post, post_id) is None
            if ephemeral:
                channel_id, root_id = self._open_cookie(cookie, post_id)
                channel = self.hub.channels.load(s, channel_id)
                require_read_channel(s, actor, channel)
                original_props: dict[str, Any] = {}
            else:
                post, channel = self.hub.posts.readable(s, actor, post_id)
                original_props = dict(post.props or {})
                root_id = post.root_id or post.id
            action = (
                s.get(models.PostAction, (post_id, action_id)) if _ACTION_ID.fullmatch(action_id) else None
            )
            if action is None:
                raise action_not_found(f"post {post_id} has no action {action_id!r} with an integration")
            user = self.hub.users.load(s, actor.user_id)
            team = s.get(models.Team, channel.team_id) if channel.team_id else None
            url, context = action.url, dict(action.context or {})
            data_source = ""
            if action.type == "select" and selected_option:
                context["selected_option"] = selected_option
                data_source = action.data_source
        client_trigger_id, trigger_id = self.issue_trigger_id(user.id)
        request = {
            "user_id": user.id,
            "user_name": user.username,
            "channel_id": channel.id,
            "channel_name": channel.name,
            "team_id": channel.team_id,
            "team_domain": team.name if team else "",
            "post_id": post_id,
            "trigger_id": trigger_id,
            "type": action.type,
            "data_source": data_source,
            "context": context,
        }
        answer = self._call(url, request)
        # What the server set on the clicked post stays (or stays absent), as Mattermost's
        # PostActionRetainPropKeys do.
        retained = server_props(original_props)
        update = answer.get("update")
        if update is not None and ephemeral:
            logger.info("an integration answered an update for ephemeral post %s; nothing to update", post_id)
        elif update is not None:
            self._apply_update(post_id, update, retained)
        ephemeral_text = answer.get("ephemeral_text")
        if ephemeral_text:
            if not isinstance(ephemeral_text, str):
                raise integration_failed("ephemeral_text must be a string")
            if answer.get("skip_slack_parsing") is not True:
                ephemeral_text = slack_text_to_markdown(ephemeral_text)
            self.hub.posts.show_ephemeral(
                user.id, channel.id, user.id, ephemeral_text, EPHEMERAL_TYPE, retained, root_id
            )
        result = {"status": "OK", "trigger_id": client_trigger_id}
        goto_location = client_location(answer.get("goto_location"))
        if goto_location:
            result["goto_location"] = goto_location
        return result

    def _apply_update(self, post_id: str, update: Any, retained: dict[str, Any]) -> None:
        """The integration's new version of the clicked post: its message, and its props when it sends
        some (the retained props kept as they were); pins and reactions stay."""
        if not isinstance(update, dict):
            raise integration_failed("update must be a post object")
        message = update.get("message") or ""
        props = update.get("props")
        if not isinstance(message, str) or (props is not None and not isinstance(props, dict)):
            raise integration_failed("update.message must be a string and update.props an object")
        limit = self.hub.config["ServiceSettings"]["MaximumPostLength"]
        if len(message) > limit:
            raise integration_failed(f"update.message is longer than {limit} characters")
        changes: dict[str, Any] = {"message": message}
        if props is not None:
            changes["props"] = {**client_props(props), **retained}
        with self.hub.store.write() as s:
            post = self.hub.posts.load(s, post_id)
            channel = self.hub.channels.load(s, post.channel_id)
            self.hub.posts.edit_from_integration(s, post, channel, changes)

    # ---- dialogs -----------------------------------------------------------------------
    def open_dialog(self, body: dict[str, Any]) -> None:
        """POST /actions/dialogs/open: an integration shows a dialog to the user a trigger id names."""
        url = validation.require_str("url", body.get("url"), max_len=1024, required=True)
        check_url(url)
        client_trigger_id, user_id = self.verify_trigger_id(body.get("trigger_id"))
        dialog = check_dialog(body.get("dialog"))
        with self.hub.store.write() as s:
            user = s.get(models.User, user_id) if is_valid_id(user_id) else None
            if user is None or not user.is_active:
                raise _trigger_error("missing_data", "the trigger id's user is gone")
            opened = models.InteractiveDialog(
                id=new_id(), create_at=now_ms(), user_id=user_id, url=url, dialog=dialog
            )
            s.add(opened)
            shown = {"trigger_id": client_trigger_id, "url": DIALOG_URL_PREFIX + opened.id, "dialog": dialog}
            event = events.Event("open_dialog", {"dialog": events.json_string(shown)}, user_id=user_id)
            events.emit(s, event)

    def submit_dialog(self, actor: Actor, body: dict[str, Any]) -> dict[str, Any]:
        """POST /actions/dialogs/submit: checks the answers against the dialog that was opened and sends
        them to its integration, whose `error`/`errors` come back to the client."""
        reference = validation.require_str("url", body.get("url"), max_len=1024, required=True)
        channel_id = validation.require_id("channel_id", body.get("channel_id"))
        team_id = body.get("team_id") or ""
        if team_id:
            validation.require_id("team_id", team_id)
        submission = body.get("submission") or {}
        if not isinstance(submission, dict):
            raise invalid_param("submission", "submission must be an object")
        cancelled = body.get("cancelled") is True
        dialog_id = reference.removeprefix(DIALOG_URL_PREFIX)
        with self.hub.store.read() as s:
            opened = s.get(models.InteractiveDialog, dialog_id) if is_valid_id(dialog_id) else None
            expired = opened is not None and opened.create_at < now_ms() - DIALOG_LIFETIME_MS
            if opened is None or opened.user_id != actor.user_id or expired:
                raise dialog_not_found(f"url={reference!r}")
            require_read_channel(s, actor, self.hub.channels.load(s, channel_id))
            if team_id:
                self.hub.teams.load(s, team_id)
                require_team_member(s, actor, team_id)
            url, dialog = opened.url, opened.dialog
        if cancelled and not dialog["notify_on_cancel"]:
            self._close_dialog(dialog_id)
            return {}
        if not cancelled:
            invalid = submission_errors(dialog, submission)
            if invalid:
                return {"errors": invalid}
        answer = self._call(
            url,
            {
                "type": "dialog_submission",
                "url": url,
                "callback_id": dialog["callback_id"],
                "state": dialog["state"],
                "user_id": actor.user_id,
                "channel_id": channel_id,
                "team_id": team_id,
                "submission": {} if cancelled else submission,
                "cancelled": cancelled,
            },
        )
        result: dict[str, Any] = {}
        if isinstance(answer.get("error"), str) and answer["error"]:
            result["error"] = answer["error"]
        errors = answer.get("errors")
        if isinstance(errors, dict) and errors:
            result["errors"] = {str(k): str(v) for k, v in errors.items()}
        if not result:
            self._close_dialog(dialog_id)
        return result

    def _close_dialog(self, dialog_id: str) -> None:
        with self.hub.store.write() as s:
            s.execute(delete(models.InteractiveDialog).where(models.InteractiveDialog.id == dialog_id))
