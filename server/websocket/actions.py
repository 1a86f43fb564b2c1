"""The actions a client may send on its socket (Mattermost's WebSocket API), by name. Each answers the
frame's `data` for one connection; a client's own `ping` and the challenge it may repeat are not
activity, everything else the user does is."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from hub import MATTERMOST_COMPAT_VERSION
from hub.errors import AppError
from hub.ids import now_ms
from hub.services import Hub
from server.websocket.connections import Connection


def bad_frame(detail: str) -> AppError:
    return AppError("api.web_socket_router.bad_seq.app_error", "Invalid websocket message.", 400, detail)


def unknown_action(action: str) -> AppError:
    return AppError(
        "api.web_socket_router.bad_action.app_error", "Unknown WebSocket action.", 400, f"action={action!r}"
    )


@dataclass(frozen=True)
class Action:
    """`run` returns the reply's `data`, or None for a bare OK."""

    run: Callable[[Hub, Connection, dict[str, Any]], dict[str, Any] | None]
    is_activity: bool = True


def _pong(hub: Hub, connection: Connection, data: dict[str, Any]) -> dict[str, Any]:
    return {"text": "pong", "version": MATTERMOST_COMPAT_VERSION, "server_time": now_ms(), "node_id": ""}


def _typing(hub: Hub, connection: Connection, data: dict[str, Any]) -> None:
    hub.realtime.typing(connection.actor, data.get("channel_id"), data.get("parent_id", ""))


def _statuses(hub: Hub, connection: Connection, data: dict[str, Any]) -> dict[str, Any]:
    user_ids = data.get("user_ids")
    if not isinstance(user_ids, list):
        raise bad_frame("user_ids must be a list")
    return {s.user_id: s.status for s in hub.statuses.get_many(user_ids)}


ACTIONS: dict[str, Action] = {
    "authentication_challenge": Action(lambda hub, connection, data: None, is_activity=False),
    "ping": Action(_pong, is_activity=False),
    "user_typing": Action(_typing),
    "get_statuses_by_ids": Action(_statuses),
}


def act(hub: Hub, connection: Connection, frame: dict[str, Any]) -> dict[str, Any]:
    """The reply to one parsed frame; an AppError for a bad one."""
    action = ACTIONS.get(frame["action"])
    if action is None:
        raise unknown_action(frame["action"])
    if action.is_activity:
        hub.statuses.record_activity(connection.user_id)
    reply: dict[str, Any] = {"status": "OK", "seq_reply": frame.get("seq", 0)}
    data = action.run(hub, connection, frame.get("data") or {})
    return reply if data is None else reply | {"data": data}
