"""/api/v4/websocket: Mattermost's WebSocket API.

Each web process keeps its own sockets in one `SocketHub`, which listens to the event bus and hands
every event to the connections allowed to see it. A connection numbers what it is sent (`seq` 0, 1,
2, ... with no gaps), keeps the last messages for a reconnect to replay, and writes through a bounded
queue so that one slow client can never hold up the others: when its queue is full it is closed and
resyncs, as Mattermost clients do after a reconnect.

A socket ends with its session: at the expiry it knew it looks again (activity may have extended the
session) and closes with 1008 if it is over. Each process bounds the sockets of one user and of one
client address (those still to authenticate included), closing those over a limit with 1008 and a reason.
"""

from __future__ import annotations

import logging
import os
import queue
import socket
import threading
import time
from collections import Counter, deque
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, current_app, request
from flask_sock import Sock
from simple_websocket import ConnectionClosed
from wsproto.utilities import LocalProtocolError

from hub import MATTERMOST_COMPAT_VERSION, __version__, events, jsonsafe, models
from hub.errors import AppError
from hub.ids import new_id, now_ms
from hub.markdown import posts as rendered_posts
from hub.permissions import Actor
from hub.services import Hub
from server.auth import public, token_from_request

logger = logging.getLogger(__name__)

SEND_QUEUE_SIZE = 256
REPLAY_SIZE = 128
RECONNECT_GRACE_SECONDS = 120.0
# Protocol pings from the server; Mattermost clients also send their own `ping` action.
PING_INTERVAL_SECONDS = 30
MAX_FRAME_BYTES = 64 * 1024
WRITE_WAIT_SECONDS = 2.0
GOING_AWAY = 1001
INTERNAL_ERROR = 1011
POLICY_VIOLATION = 1008
_STOP = object()


class Connection:
    """One logical client connection; it outlives its socket for a while so a reconnect can resume."""

    def __init__(self, actor: Actor, render_html: bool = False) -> None:
        self.id = new_id()
        self.actor = actor
        # Hubbub's web client asks (?render=html) for posts with their rendered HTML.
        self.render_html = render_html
        self.next_seq = 0
        self.replay: deque[tuple[int, str]] = deque(maxlen=REPLAY_SIZE)
        self.outbox: queue.Queue | None = None
        self.detached_at = 0.0
        self._lock = threading.Lock()

    @property
    def user_id(self) -> str:
        return self.actor.user_id

    def deliver(self, event: str, data: dict[str, Any], broadcast: dict[str, Any]) -> bool:
        """Numbers and queues one event; False when the client cannot keep up and must be dropped."""
        return self.deliver_encoded(encode_event(event, data, broadcast))

    def deliver_encoded(self, head: str) -> bool:
        """deliver() for an event encoded once (encode_event) for every socket it goes to."""
        with self._lock:
            message = f'{head},"seq":{self.next_seq}}}'
            self.replay.append((self.next_seq, message))
            self.next_seq += 1
            return self._put(message)

    def reply(self, body: dict[str, Any]) -> bool:
        with self._lock:
            return self._put(jsonsafe.dumps(body))

    def _put(self, message: str) -> bool:
        if self.outbox is None:
            return True  # detached: the replay buffer keeps it for a reconnect
        try:
            self.outbox.put_nowait(message)
            return True
        except queue.Full:
            return False

    def attach(self) -> queue.Queue:
        with self._lock:
            self.outbox = queue.Queue(SEND_QUEUE_SIZE)
            self.detached_at = 0.0
            return self.outbox

    def detach(self) -> None:
        with self._lock:
            if self.outbox is not None:
                try:
                    self.outbox.put_nowait(_STOP)
                except queue.Full:
                    pass
            self.outbox = None
            self.detached_at = time.monotonic()

    def resume_from(self, sequence_number: int) -> list[str] | None:
        """The messages from `sequence_number` on, or None when some of them are gone."""
        with self._lock:
            if sequence_number == self.next_seq:
                return []
            kept = [message for seq, message in self.replay if seq >= sequence_number]
            first = self.next_seq - len(kept)
            if not kept or first != sequence_number:
                return None
            return kept


def encode_event(event: str, data: dict[str, Any], broadcast: dict[str, Any]) -> str:
    """An event's JSON without its closing brace, for Connection.deliver_encoded to add the seq: the same
    text as the whole object encoded with its seq last."""
    return jsonsafe.dumps({"event": event, "data": data, "broadcast": broadcast})[:-1]


class _Slots:
    """How many sockets each key (a user, a client address) holds in this process, up to a limit."""

    def __init__(self) -> None:
        self._held: Counter[str] = Counter()
        self._lock = threading.Lock()

    @contextmanager
    def held(self, key: str, limit: int) -> Iterator[bool]:
        """Yields whether `key` got one of its `limit` slots; a slot it got is given back on leaving."""
        with self._lock:
            admitted = self._held[key] < limit
            if admitted:
                self._held[key] += 1
        try:
            yield admitted
        finally:
            if admitted:
                with self._lock:
                    self._held[key] -= 1
                    if not self._held[key]:
                        del self._held[key]


class SocketHub:
    def __init__(self, hub: Hub) -> None:
        self.hub = hub
        self._connections: dict[str, Connection] = {}
        self._sockets: dict[str, Any] = {}
        self._lock = threading.Lock()
        self._started = False
        self.by_user = _Slots()
        self.by_address = _Slots()

    def start(self) -> None:
        """Subscribes to the bus; called once per web process, after gevent has patched it."""
        with self._lock:
            if self._started:
                return
            self._started = True
        self.hub.bus.subscribe(self.dispatch)

    def open_count(self) -> int:
        """The sockets open in this process."""
        with self._lock:
            return len(self._sockets)

    # ---- delivery ------------------------------------------------------------------
    def dispatch(self, event: events.Event) -> None:
        if event.event in events.CONTROL_EVENTS:
            if event.event == events.CLOSE_SOCKETS:
                self._close_revoked(event.data)
            return
        broadcast = event.broadcast()
        with self._lock:
            targets = [
                c
                for c in self._connections.values()
                if event.reaches(c.user_id) and c.id != event.omit_connection_id
            ]
        # Encoded (and rendered, for the sockets that asked for HTML) once per event, however many
        # sockets it goes to; each socket only adds its seq.
        heads: dict[bool, str] = {}
        for connection in targets:
            as_html = connection.render_html and event.event in rendered_posts.POST_EVENTS
            head = heads.get(as_html)
            if head is None:
                data = rendered_posts.rendered_event_data(event.data) if as_html else event.data
                head = heads[as_html] = encode_event(event.event, data, broadcast)
            if not connection.deliver_encoded(head):
                logger.info("closing slow websocket %s of user %s", connection.id, connection.user_id)
                self.drop(connection.id, POLICY_VIOLATION, "too slow")

    def _close_revoked(self, data: dict[str, Any]) -> None:
        users, sessions, tokens = set(data["user_ids"]), set(data["session_ids"]), set(data["token_ids"])
        with self._lock:
            doomed = [
                c.id
                for c in self._connections.values()
                if c.user_id in users
                or (c.actor.session_id and c.actor.session_id in sessions)
                or (c.actor.token_id and c.actor.token_id in tokens)
            ]
        for connection_id in doomed:
            self.drop(connection_id, POLICY_VIOLATION, "session revoked")

    def drop(self, connection_id: str, code: int, reason: str) -> None:
        """Forgets the connection (no resume) and closes its socket, if it has one."""
        with self._lock:
            connection = self._connections.pop(connection_id, None)
            socket = self._sockets.pop(connection_id, None)
        if connection is not None:
            connection.detach()
        if socket is not None:
            _close_quietly(socket, code, reason)

    # ---- connections -----------------------------------------------------------------
    def open(
        self, actor: Actor, connection_id: str, sequence_number: int | None, render_html: bool = False
    ) -> tuple[Connection, list[str]]:
        """Resumes the named connection when every missed message is still kept; else a new one."""
        self._forget_stale()
        with self._lock:
            previous = self._connections.get(connection_id) if connection_id else None
        if previous is not None and previous.user_id == actor.user_id and sequence_number is not None:
            missed = previous.resume_from(sequence_number)
            if missed is not None:
                previous.actor = actor
                return previous, missed
        if previous is not None and previous.user_id == actor.user_id:
            self.drop(previous.id, GOING_AWAY, "replaced")
        connection = Connection(actor, render_html)
        with self._lock:
            self._connections[connection.id] = connection
        return connection, []

    def attach(self, connection: Connection, socket) -> queue.Queue:
        with self._lock:
            self._sockets[connection.id] = socket
        return connection.attach()

    def detach(self, connection: Connection, socket) -> None:
        with self._lock:
            if self._sockets.get(connection.id) is socket:
                del self._sockets[connection.id]
                connection.detach()

    def _forget_stale(self) -> None:
        cutoff = time.monotonic() - RECONNECT_GRACE_SECONDS
        with self._lock:
            stale = [cid for cid, c in self._connections.items() if c.detached_at and c.detached_at < cutoff]
            for cid in stale:
                del self._connections[cid]

    def holds(self, connection_id: str) -> bool:
        with self._lock:
            return connection_id in self._connections

    def shutdown(self) -> None:
        """Closes every socket with 1001 (going away): clients reconnect to another process."""
        with self._lock:
            ids = list(self._sockets)
        for connection_id in ids:
            self.drop(connection_id, GOING_AWAY, "server shutting down")


class _WholeWrites:
    """simple_websocket writes frames with socket.send, from our writer and from its own thread
    (pings, pongs, the close frame). When the client reads slowly send may write part of a frame, and
    two writers then interleave: the stream is corrupt. So: whole frames, one writer at a time, and a
    writer kept waiting that long gives up as if the client had gone."""

    def __init__(self, sock) -> None:
        self._sock = sock
        self._writing = threading.Lock()

    def send(self, data: bytes) -> int:
        if not self._writing.acquire(timeout=WRITE_WAIT_SECONDS):
            raise BrokenPipeError("another write to this client has been stuck too long")
        try:
            self._sock.sendall(data)
        finally:
            self._writing.release()
        return len(data)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._sock, name)


def _close_quietly(socket, code: int, reason: str) -> None:
    try:
        socket.close(reason=code, message=reason)
    except Exception:  # the peer may already be gone; closing is best effort
        logger.debug("websocket close failed", exc_info=True)


# ---- the route ---------------------------------------------------------------------------
def _same_origin() -> bool:
    """Gorilla's rule, which Mattermost uses: the Origin, when sent, names this host or an allowed one."""
    origin = request.headers.get("Origin", "")
    if not origin:
        return True
    allowed = current_app.extensions["hub"].config["ServiceSettings"]["AllowCorsFrom"].split()
    return urlsplit(origin).netloc == request.host or origin in allowed or "*" in allowed


def _error_reply(seq_reply: int, error: AppError) -> dict[str, Any]:
    return {"status": "FAIL", "seq_reply": seq_reply, "error": error.to_dict()}


def _bad_frame(detail: str) -> AppError:
    return AppError("api.web_socket_router.bad_seq.app_error", "Invalid websocket message.", 400, detail)


def _parse(raw: Any) -> dict[str, Any]:
    try:
        frame = jsonsafe.loads(raw)
    except (TypeError, ValueError):
        raise _bad_frame("the frame is not JSON") from None
    if not isinstance(frame, dict) or not isinstance(frame.get("action"), str):
        raise _bad_frame("a frame is an object with an action")
    if not isinstance(frame.get("seq", 0), int) or not isinstance(frame.get("data") or {}, dict):
        raise _bad_frame("seq must be a number and data an object")
    return frame


class _Session:
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
                _close_quietly(self.ws, POLICY_VIOLATION, "too many connections from this address")
                return
            authenticated = self._authenticate()
            if authenticated is None:
                return
            actor, session = authenticated
            with self.sockets.by_user.held(actor.user_id, per_user) as admitted:
                if not admitted:
                    _close_quietly(self.ws, POLICY_VIOLATION, "too many connections for this user")
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
        outbox = self.sockets.attach(connection, self.ws)
        writer = threading.Thread(target=self._write, args=(outbox,), daemon=True)
        writer.start()
        try:
            for message in missed:
                outbox.put_nowait(message)
            self._hello(connection)
            self.hub.statuses.socket_opened(actor.user_id)
            self._read(connection, actor.session_id, expires_at)
        finally:
            self.sockets.detach(connection, self.ws)
            self.hub.statuses.socket_closed(actor.user_id)
            writer.join(timeout=5)

    def _authenticate(self) -> tuple[Actor, models.Session | None] | None:
        token, from_cookie = token_from_request()
        if token and from_cookie and not _same_origin():
            # A cookie travels with any page's request: another site must not open a socket as the user.
            _close_quietly(self.ws, POLICY_VIOLATION, "cross-origin cookie session")
            return None
        if token:
            try:
                return self.hub.auth.resolve(token)
            except AppError:
                _close_quietly(self.ws, POLICY_VIOLATION, "invalid token")
                return None
        window = self.hub.config["ServiceSettings"]["WebSocketAuthenticationTimeoutSeconds"]
        raw = self.ws.receive(timeout=window)
        if raw is None:
            _close_quietly(self.ws, POLICY_VIOLATION, "no authentication")
            return None
        seq = 0
        try:
            frame = _parse(raw)
            seq = frame.get("seq", 0)
            if frame["action"] != "authentication_challenge":
                raise _bad_frame("authenticate first")
            authenticated = self.hub.auth.resolve(str((frame.get("data") or {}).get("token", "")))
        except AppError as error:
            self.ws.send(jsonsafe.dumps(_error_reply(seq, error)))
            _close_quietly(self.ws, POLICY_VIOLATION, "authentication failed")
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

    def _write(self, outbox: queue.Queue) -> None:
        while True:
            message = outbox.get()
            if message is _STOP:
                return
            try:
                self.ws.send(message)
            except (ConnectionClosed, LocalProtocolError, OSError):
                # The socket closed under the writer (a revocation, a drop, the peer leaving).
                return

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
                    reply = self._act(connection, frame)
                except AppError as error:
                    reply = _error_reply(frame.get("seq", 0), error)
            if not connection.reply(reply):
                self.sockets.drop(connection.id, POLICY_VIOLATION, "too slow")
                return

    def _act(self, connection: Connection, frame: dict[str, Any]) -> dict[str, Any]:
        seq = frame.get("seq", 0)
        data = frame.get("data") or {}
        action = frame["action"]
        ok: dict[str, Any] = {"status": "OK", "seq_reply": seq}
        if action == "authentication_challenge":
            return ok
        if action == "ping":
            return ok | {
                "data": {
                    "text": "pong",
                    "version": MATTERMOST_COMPAT_VERSION,
                    "server_time": now_ms(),
                    "node_id": "",
                }
            }
        # Clients ping on a timer; only what the user does counts as activity.
        self.hub.statuses.record_activity(connection.user_id)
        if action == "user_typing":
            self.hub.realtime.typing(connection.actor, data.get("channel_id"), data.get("parent_id", ""))
            return ok
        if action == "get_statuses_by_ids":
            user_ids = data.get("user_ids")
            if not isinstance(user_ids, list):
                raise _bad_frame("user_ids must be a list")
            return ok | {"data": {s.user_id: s.status for s in self.hub.statuses.get_many(user_ids)}}
        raise AppError(
            "api.web_socket_router.bad_action.app_error",
            "Unknown WebSocket action.",
            400,
            f"action={action!r}",
        )


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
        ws.sock = _WholeWrites(ws.sock)
        sockets.start()
        try:
            _Session(sockets, ws).run()
        except ConnectionClosed:
            raise
        except Exception:  # escaping, it would become a 500 response written onto the open socket
            logger.exception("websocket session failed")
            _close_quietly(ws, INTERNAL_ERROR, "internal error")

    return sockets
