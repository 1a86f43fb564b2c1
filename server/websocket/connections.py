"""The sockets of one web process: each `Connection` numbers what it is sent (`seq` 0, 1, 2, ... with
no gaps), keeps the last messages for a reconnect to replay, and writes through its own backlog so that
one slow client can never hold up the others: when its backlog stops moving it is closed and resyncs, as
Mattermost clients do after a reconnect. `SocketHub` listens to the event bus and hands every event to
the connections allowed to see it, and bounds the sockets of one user and of one client address."""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter, deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, Protocol

from hub import events, jsonsafe
from hub.ids import new_id
from hub.markdown import posts as rendered_posts
from hub.permissions import Actor
from hub.services import Hub

logger = logging.getLogger(__name__)

REPLAY_SIZE = 128
# A client whose backlog has not moved for this long, or holds this much, is dropped (it resyncs).
SLOW_CLIENT_SECONDS = 10.0
MAX_BACKLOG_BYTES = 8 * 1024 * 1024
RECONNECT_GRACE_SECONDS = 120.0
GOING_AWAY = 1001
INTERNAL_ERROR = 1011
POLICY_VIOLATION = 1008


Spawn = Callable[[Callable[[], None]], object]


class Outlet(Protocol):
    """Where a connection's messages go: its socket, as server/websocket/session.py wraps it."""

    def send(self, message: str) -> None:
        """Writes the whole message, waiting for the client as long as it takes."""

    def send_now(self, message: str) -> bool:
        """Writes the message only if the socket takes it without waiting; False when nothing was
        written. A frame the socket took only part of is finished by `finish`."""

    def unfinished(self) -> bool: ...

    def finish(self) -> None:
        """Writes what send_now left of a frame, waiting for the client."""


def spawn_thread(work: Callable[[], None]) -> object:
    """A thread, which is a greenlet once gevent has patched the process."""
    thread = threading.Thread(target=work, daemon=True)
    thread.start()
    return thread


class Connection:
    """One logical client connection; it outlives its socket for a while so a reconnect can resume.

    A message goes straight to the socket when it takes it without waiting (no greenlet for that);
    otherwise it waits in the backlog for a writer, started then and ended when the backlog is empty:
    an idle socket, and one that keeps up, holds no writer. A client is too slow when its backlog has not
    moved for SLOW_CLIENT_SECONDS or holds more than MAX_BACKLOG_BYTES, never because of a burst it
    is reading."""

    def __init__(self, actor: Actor, render_html: bool = False) -> None:
        self.id = new_id()
        self.actor = actor
        # Hubbub's web client asks (?render=html) for posts with their rendered HTML.
        self.render_html = render_html
        self.next_seq = 0
        # Each event's head is the one every socket shares (encode_event); the seq is added on sending.
        self.replay: deque[tuple[int, str]] = deque(maxlen=REPLAY_SIZE)
        self.detached_at = 0.0
        self._outlet: Outlet | None = None
        self._spawn: Spawn = spawn_thread
        self._backlog: deque[str] = deque()
        self._backlog_bytes = 0
        self._moved_at = 0.0
        self._writing = False
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
            seq = self.next_seq
            self.next_seq += 1
            self.replay.append((seq, head))
            return self._put(_numbered(head, seq))

    def reply(self, body: dict[str, Any]) -> bool:
        with self._lock:
            return self._put(jsonsafe.dumps(body))

    def _put(self, message: str) -> bool:
        outlet = self._outlet
        if outlet is None:
            return True  # detached: the replay buffer keeps it for a reconnect
        now = time.monotonic()
        if not self._backlog and not self._writing:
            # The usual case: the socket takes it at once, and no writer is needed.
            if outlet.send_now(message):
                self._moved_at = now
                if outlet.unfinished():
                    self._start_writer()
                return True
        elif now - self._moved_at > SLOW_CLIENT_SECONDS or self._backlog_bytes > MAX_BACKLOG_BYTES:
            return False
        if not self._backlog:
            self._moved_at = now
        self._backlog.append(message)
        self._backlog_bytes += len(message)
        if not self._writing:
            self._start_writer()
        return True

    def _start_writer(self) -> None:
        self._writing = True
        self._spawn(self._write)

    def _write(self) -> None:
        """Sends the backlog of a client that is not reading as fast as it is sent to, then ends."""
        finishing = True
        while True:
            with self._lock:
                outlet = self._outlet
                message = None
                if outlet is not None and not finishing:
                    if not self._backlog:
                        self._writing = False
                        return
                    message = self._backlog.popleft()
                    self._backlog_bytes -= len(message)
                if outlet is None:
                    self._writing = False
                    return
            try:
                if finishing:
                    outlet.finish()
                    finishing = False
                elif message is not None:
                    outlet.send(message)
            except Exception:  # the socket closed under the writer (a revocation, a drop, the peer leaving)
                with self._lock:
                    if self._outlet is outlet or self._outlet is None:
                        self._writing = False
                        return
                continue  # a reconnect attached a new socket meanwhile: this writer serves it
            with self._lock:
                self._moved_at = time.monotonic()

    def attach(self, outlet: Outlet, missed: list[str], spawn: Spawn = spawn_thread) -> None:
        """Sends what the socket missed first, then whatever comes."""
        with self._lock:
            self._outlet, self._spawn = outlet, spawn
            self._backlog.clear()
            self._backlog_bytes = 0
            self.detached_at = 0.0
            for message in missed:
                self._put(message)

    def detach(self) -> None:
        with self._lock:
            self._outlet = None
            self._backlog.clear()
            self._backlog_bytes = 0
            self.detached_at = time.monotonic()

    def resume_from(self, sequence_number: int) -> list[str] | None:
        """The messages from `sequence_number` on, or None when some of them are gone."""
        with self._lock:
            if sequence_number == self.next_seq:
                return []
            kept = [_numbered(head, seq) for seq, head in self.replay if seq >= sequence_number]
            first = self.next_seq - len(kept)
            if not kept or first != sequence_number:
                return None
            return kept


def _numbered(head: str, seq: int) -> str:
    return f'{head},"seq":{seq}}}'


def encode_event(event: str, data: dict[str, Any], broadcast: dict[str, Any]) -> str:
    """An event's JSON without its closing brace, for Connection.deliver_encoded to add the seq: the same
    text as the whole object encoded with its seq last."""
    return jsonsafe.dumps({"event": event, "data": data, "broadcast": broadcast})[:-1]


class Slots:
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
        self.by_user = Slots()
        self.by_address = Slots()

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
            close_quietly(socket, code, reason)

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

    def attach(self, connection: Connection, socket: Any, outlet: Outlet, missed: list[str]) -> None:
        with self._lock:
            self._sockets[connection.id] = socket
        connection.attach(outlet, missed)

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


def close_quietly(socket, code: int, reason: str) -> None:
    try:
        socket.close(reason=code, message=reason)
    except Exception:  # the peer may already be gone; closing is best effort
        logger.debug("websocket close failed", exc_info=True)
