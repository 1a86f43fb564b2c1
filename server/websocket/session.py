"""The life of one socket: authentication (by the handshake's token or cookie, or a first
`authentication_challenge`), hello or resume, then frames answered until it closes or its session ends.
At the expiry it knew it looks again (activity may have extended the session) and closes with 1008 if it
is over."""

from __future__ import annotations

import os
import socket
import threading
from typing import Any
from urllib.parse import urlsplit

from flask import current_app, request
from wsproto.events import TextMessage

from hub import MATTERMOST_COMPAT_VERSION, __version__, events, jsonsafe, models
from hub.errors import AppError
from hub.ids import now_ms
from hub.permissions import Actor
from server.auth import token_from_request
from server.websocket.actions import act, bad_frame
from server.websocket.connections import POLICY_VIOLATION, Connection, SocketHub, close_quietly

WRITE_WAIT_SECONDS = 2.0


class WholeWrites:
    """simple_websocket writes frames with socket.send, from our writer and from its own thread
    (pings, pongs, the close frame). When the client reads slowly send may write part of a frame, and
    two writers then interleave: the stream is corrupt. So: whole frames, one writer at a time, and a
    writer kept waiting that long gives up as if the client had gone. `send_now` writes a frame only
    if the socket takes it without waiting; the part of a frame it could not write waits in `_rest`
    and goes first, before anything else is written."""

    def __init__(self, sock: Any) -> None:
        self._sock = sock
        # Under gevent the real socket is inside gevent's; a non-blocking send must reach that one.
        self._raw = getattr(sock, "_sock", sock)
        self._writing = threading.Lock()
        self._rest = b""

    def send(self, data: bytes) -> int:
        if not self._writing.acquire(timeout=WRITE_WAIT_SECONDS):
            raise BrokenPipeError("another write to this client has been stuck too long")
        try:
            if self._rest:
                self._sock.sendall(self._rest)
                self._rest = b""
            self._sock.sendall(data)
        finally:
            self._writing.release()
        return len(data)

    def send_now(self, data: bytes) -> bool:
        if not self._writing.acquire(blocking=False):
            return False
        try:
            if self._rest:
                return False
            try:
                sent = self._raw.send(data, socket.MSG_DONTWAIT)
            except (BlockingIOError, InterruptedError):
                return False
            self._rest = data[sent:]
            return True
        finally:
            self._writing.release()

    @property
    def unfinished(self) -> bool:
        return bool(self._rest)

    def finish(self) -> None:
        self.send(b"")

    def __getattr__(self, name: str) -> Any:
        return getattr(self._sock, name)


class SocketOutlet:
    """A connection's messages onto its socket (connections.Outlet): text frames, encoded by wsproto
    as simple_websocket would, without compression (so an unsent frame can be dropped and made again)."""

    def __init__(self, ws: Any, writes: WholeWrites) -> None:
        self._ws = ws
        self._writes = writes

    def send(self, message: str) -> None:
        self._ws.send(message)

    def send_now(self, message: str) -> bool:
        if not self._ws.connected:
            return False
        return self._writes.send_now(self._ws.ws.send(TextMessage(data=message)))

    def unfinished(self) -> bool:
        return self._writes.unfinished

    def finish(self) -> None:
        self._writes.finish()


def _same_origin() -> bool:
    """Gorilla's rule, which Mattermost uses: the Origin, when sent, names this host or an allowed one."""
    origin = request.headers.get("Origin", "")
    if not origin:
        return True
    allowed = current_app.extensions["hub"].config["ServiceSettings"]["AllowCorsFrom"].split()
    return urlsplit(origin).netloc == request.host or origin in allowed or "*" in allowed


def _error_reply(seq_reply: int, error: AppError) -> dict[str, Any]:
    return {"status": "FAIL", "seq_reply": seq_reply, "error": error.to_dict()}


def _parse(raw: Any) -> dict[str, Any]:
    try:
        frame = jsonsafe.loads(raw)
    except (TypeError, ValueError):
        raise bad_frame("the frame is not JSON") from None
    if not isinstance(frame, dict) or not isinstance(frame.get("action"), str):
        raise bad_frame("a frame is an object with an action")
    if not isinstance(frame.get("seq", 0), int) or not isinstance(frame.get("data") or {}, dict):
        raise bad_frame("seq must be a number and data an object")
    return frame


class SocketSession:
    """The life of one socket: authentication, hello or resume, then actions until it closes."""

    def __init__(self, sockets: SocketHub, ws) -> None:
        self.sockets = sockets
        self.hub = sockets.hub
        self.ws = ws

    def run(self) -> None:
        limits = self.hub.config["ServiceSettings"]
        per_address = limits["MaximumWebSocketConnectionsPerRemoteAddress"]
        per_user = limits["MaximumWebSocketConnectionsPerUser"]
        # Counted from the upgrade on: a socket still to authenticate holds a slot as well.
        with self.sockets.by_address.held(request.remote_addr or "", per_address) as admitted:
            if not admitted:
                close_quietly(self.ws, POLICY_VIOLATION, "too many connections from this address")
                return
            authenticated = self._authenticate()
            if authenticated is None:
                return
            actor, session = authenticated
            with self.sockets.by_user.held(actor.user_id, per_user) as admitted:
                if not admitted:
                    close_quietly(self.ws, POLICY_VIOLATION, "too many connections for this user")
                    return
                # A personal access token has no session, and no expiry.
                self._serve(actor, session.expires_at if session is not None else 0)

    def _serve(self, actor: Actor, expires_at: int) -> None:
        connection_id = request.args.get("connection_id", "")
        try:
            sequence_number: int | None = int(request.args["sequence_number"])
        except (KeyError, ValueError):
            sequence_number = None
        connection, missed = self.sockets.open(
            actor, connection_id, sequence_number, render_html=request.args.get("render") == "html"
        )
        self.sockets.attach(connection, self.ws, SocketOutlet(self.ws, self.ws.sock), missed)
        try:
            self._hello(connection)
            self.hub.statuses.socket_opened(actor.user_id)
            self._read(connection, actor.session_id, expires_at)
        finally:
            self.sockets.detach(connection, self.ws)
            self.hub.statuses.socket_closed(actor.user_id)

    def _authenticate(self) -> tuple[Actor, models.Session | None] | None:
        token, from_cookie = token_from_request()
        if token and from_cookie and not _same_origin():
            # A cookie travels with any page's request: another site must not open a socket as the user.
            close_quietly(self.ws, POLICY_VIOLATION, "cross-origin cookie session")
            return None
        if token:
            try:
                return self.hub.auth.resolve(token)
            except AppError:
                close_quietly(self.ws, POLICY_VIOLATION, "invalid token")
                return None
        window = self.hub.config["ServiceSettings"]["WebSocketAuthenticationTimeoutSeconds"]
        raw = self.ws.receive(timeout=window)
        if raw is None:
            close_quietly(self.ws, POLICY_VIOLATION, "no authentication")
            return None
        seq = 0
        try:
            frame = _parse(raw)
            seq = frame.get("seq", 0)
            if frame["action"] != "authentication_challenge":
                raise bad_frame("authenticate first")
            authenticated = self.hub.auth.resolve(str((frame.get("data") or {}).get("token", "")))
        except AppError as error:
            self.ws.send(jsonsafe.dumps(_error_reply(seq, error)))
            close_quietly(self.ws, POLICY_VIOLATION, "authentication failed")
            return None
        self.ws.send(jsonsafe.dumps({"status": "OK", "seq_reply": seq}))
        return authenticated

    def _hello(self, connection: Connection) -> None:
        data = {
            "server_version": f"{MATTERMOST_COMPAT_VERSION}.hubbub-{__version__}",
            "connection_id": connection.id,
            # Which worker holds the socket: several may serve one hostname.
            "server_hostname": f"{socket.gethostname()}:{os.getpid()}",
        }
        connection.deliver("hello", data, events.Event("hello", {}, user_id=connection.user_id).broadcast())

    def _read(self, connection: Connection, session_id: str, expires_at: int) -> None:
        """Answers frames until the socket closes or the session ends (`expires_at` 0: it never does)."""
        while True:
            raw = self.ws.receive(timeout=max(0.0, (expires_at - now_ms()) / 1000) if expires_at else None)
            if expires_at and now_ms() >= expires_at:
                # Activity may have extended the session since it was read: look again before ending it.
                expires_at = self.hub.realtime.session_expires_at(session_id)
                if now_ms() >= expires_at:
                    self.sockets.drop(connection.id, POLICY_VIOLATION, "session expired")
                    return
            if raw is None:
                continue
            try:
                frame = _parse(raw)
            except AppError as error:
                reply = _error_reply(0, error)
            else:
                try:
                    reply = act(self.hub, connection, frame)
                except AppError as error:
                    reply = _error_reply(frame.get("seq", 0), error)
            if not connection.reply(reply):
                self.sockets.drop(connection.id, POLICY_VIOLATION, "too slow")
                return
