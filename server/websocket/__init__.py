"""/api/v4/websocket: Mattermost's WebSocket API. Each web process keeps its own sockets in one
`SocketHub` (connections.py); each socket lives in a `SocketSession` (session.py) that answers the
actions of actions.py."""

from __future__ import annotations

import logging

from flask import Flask, request
from flask_sock import Sock
from simple_websocket import ConnectionClosed

from hub.services import Hub
from server.auth import public
from server.websocket.connections import (
    INTERNAL_ERROR,
    POLICY_VIOLATION,
    REPLAY_SIZE,
    SocketHub,
    close_quietly,
)
from server.websocket.session import SocketSession, WholeWrites

logger = logging.getLogger(__name__)

# Protocol pings from the server; Mattermost clients also send their own `ping` action.
PING_INTERVAL_SECONDS = 30
MAX_FRAME_BYTES = 64 * 1024

__all__ = ["MAX_FRAME_BYTES", "POLICY_VIOLATION", "REPLAY_SIZE", "init_app"]


def init_app(app: Flask, hub: Hub) -> SocketHub:
    app.config["SOCK_SERVER_OPTIONS"] = {
        "ping_interval": PING_INTERVAL_SECONDS,
        "max_message_size": MAX_FRAME_BYTES,
    }
    sockets = SocketHub(hub)
    app.extensions["sockets"] = sockets

    @app.before_request
    def _no_compression() -> None:
        # Mattermost does not compress its socket frames. permessage-deflate would keep ~100 KiB of zlib
        # state per idle socket and compress every event once per socket: the offer is declined.
        if request.path == "/api/v4/websocket":
            request.environ.pop("HTTP_SEC_WEBSOCKET_EXTENSIONS", None)

    sock = Sock(app)

    @sock.route("/api/v4/websocket")
    @public  # a socket authenticates itself: by its handshake's token or cookie, or its first message
    def websocket(ws) -> None:
        ws.sock = WholeWrites(ws.sock)
        sockets.start()
        try:
            SocketSession(sockets, ws).run()
        except ConnectionClosed:
            raise
        except Exception:  # escaping, it would become a 500 response written onto the open socket
            logger.exception("websocket session failed")
            close_quietly(ws, INTERNAL_ERROR, "internal error")

    return sockets
