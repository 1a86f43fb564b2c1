"""The WebSocket's events (`/api/v4/websocket`), synchronous: a stream that reconnects by itself and
resumes where it stopped, by Mattermost's rules.

Each connection starts with `hello`; its events carry `seq` 0, 1, 2, ... without gaps. After a lost
connection the stream reconnects with `connection_id` and the next `sequence_number`: the server replays
what was missed when it still has it, or starts a new connection (a new `connection_id`) when it does
not. Then events were lost, and the stream calls `on_reset` so that its owner can catch up over REST
(`Client.get_posts(channel_id, since=...)`)."""

from __future__ import annotations

import json
import random
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, cast
from urllib.parse import urlencode, urlsplit

from simple_websocket import Client as SocketClient
from simple_websocket import ConnectionClosed
from wsproto.events import CloseConnection
from wsproto.frame_protocol import CloseReason

from hubclient.errors import StreamClosed
from hubclient.shapes import Post

# Close codes after which reconnecting cannot help: the server refused the token or the session ended.
FINAL_CLOSE_CODES = {1008}
PING_INTERVAL_SECONDS = 30.0


@dataclass(frozen=True)
class Event:
    """One event: its name, data, broadcast and seq (-1 for a reply or a frame without one)."""

    event: str
    data: dict[str, Any]
    broadcast: dict[str, Any] = field(default_factory=dict)
    seq: int = -1

    @classmethod
    def parse(cls, frame: dict[str, Any]) -> Event:
        data = frame.get("data")
        broadcast = frame.get("broadcast")
        seq = frame.get("seq")
        return cls(
            str(frame.get("event", "")),
            data if isinstance(data, dict) else {},
            broadcast if isinstance(broadcast, dict) else {},
            seq if isinstance(seq, int) else -1,
        )

    def decoded(self, key: str) -> Any:
        """A data field Mattermost sends as a JSON string (`post`, `reaction`, `mentions`), decoded."""
        value = self.data.get(key)
        if isinstance(value, str):
            try:
                return json.loads(value)
            except ValueError:
                return None
        return value

    @property
    def post(self) -> Post | None:
        """The post of `posted`, `post_edited` and `post_deleted`."""
        post = self.decoded("post")
        # Decoded JSON: a dict here is the post Mattermost sends.
        return cast(Post, post) if isinstance(post, dict) else None


def socket_url(site_url: str, connection_id: str = "", sequence_number: int | None = None) -> str:
    parts = urlsplit(site_url)
    scheme = "wss" if parts.scheme == "https" else "ws"
    query = ""
    if connection_id and sequence_number is not None:
        query = "?" + urlencode({"connection_id": connection_id, "sequence_number": sequence_number})
    return f"{scheme}://{parts.netloc}{parts.path.rstrip('/')}/api/v4/websocket{query}"


class Resumption:
    """What a stream knows of its connection: its id and the next seq it expects. Shared by the sync and
    the asyncio stream, which differ only in how they read a socket."""

    def __init__(self, on_reset: Callable[[], None] | None) -> None:
        self.connection_id = ""
        self.next_seq = 0
        self.on_reset = on_reset

    def url(self, site_url: str) -> str:
        return socket_url(site_url, self.connection_id, self.next_seq if self.connection_id else None)

    def take(self, raw: Any) -> Event | None:
        """The event in a frame (None for replies and junk); a `hello` with a new connection id after an
        earlier connection means the events between were lost."""
        try:
            frame = json.loads(raw)
        except (TypeError, ValueError):
            return None
        if not isinstance(frame, dict) or "event" not in frame:
            return None
        event = Event.parse(frame)
        if event.event == "hello":
            new_id = str(event.data.get("connection_id", ""))
            if self.connection_id and new_id != self.connection_id and self.on_reset is not None:
                self.on_reset()
            self.connection_id = new_id
        if event.seq >= 0:
            self.next_seq = event.seq + 1
        return event


def backoff_delays(maximum: float) -> Iterator[float]:
    """1, 2, 4, ... seconds up to `maximum`, each with some jitter so that many clients do not return at once."""
    delay = 1.0
    while True:
        yield delay * random.uniform(0.8, 1.2)
        delay = min(maximum, delay * 2)


class StreamOptions:
    """What the sync and the asyncio stream are given alike: the site, the token and how to reconnect."""

    def __init__(
        self,
        site_url: str,
        token: str,
        *,
        reconnect: bool = True,
        max_backoff: float = 30.0,
        on_reset: Callable[[], None] | None = None,
    ) -> None:
        self.site_url = site_url
        self.token = token
        self.reconnect = reconnect
        self.max_backoff = max_backoff
        self.state = Resumption(on_reset)
        self._action_seq = 0

    @property
    def connection_id(self) -> str:
        return self.state.connection_id

    def _action(self, action: str, data: dict[str, Any] | None) -> tuple[int, str]:
        """The next action's seq and frame."""
        self._action_seq += 1
        return self._action_seq, json.dumps({"seq": self._action_seq, "action": action, "data": data or {}})


class EventStream(StreamOptions):
    """Iterate it for events; it reconnects after a lost connection until close() (or a refusal).

    with client.events(on_reset=catch_up) as stream:
        for event in stream:
            ...
    """

    def __init__(self, site_url: str, token: str, **options: Any) -> None:
        super().__init__(site_url, token, **options)
        self._socket: SocketClient | None = None
        self._closed = threading.Event()

    # ---- connection -----------------------------------------------------------------------
    def _connect(self) -> SocketClient:
        self._socket = SocketClient.connect(
            self.state.url(self.site_url),
            headers={"Authorization": f"Bearer {self.token}"},
            ping_interval=PING_INTERVAL_SECONDS,
            thread_class=_DaemonThread,
        )
        return self._socket

    def _reconnect(self) -> SocketClient:
        for delay in backoff_delays(self.max_backoff):
            if self._closed.wait(delay):
                raise StreamClosed(1000, "closed by its owner")
            try:
                return self._connect()
            except (OSError, ConnectionError):
                continue
        raise AssertionError("unreachable: backoff_delays never ends")

    def close(self) -> None:
        self._closed.set()
        if self._socket is not None:
            try:
                self._socket.close()
            except ConnectionClosed:
                pass

    def __enter__(self) -> EventStream:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # ---- reading --------------------------------------------------------------------------
    def next(self, timeout: float | None = None) -> Event | None:
        """The next event, or None when none came within `timeout` seconds."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            if self._closed.is_set():
                raise StreamClosed(1000, "closed by its owner")
            socket = self._socket or self._connect()
            left = None if deadline is None else max(0.0, deadline - time.monotonic())
            try:
                raw = socket.receive(timeout=left)
            except ConnectionClosed as closed:
                self._socket = None
                code, reason = _close_of(socket, closed)
                if self._closed.is_set() or not self.reconnect or code in FINAL_CLOSE_CODES:
                    raise StreamClosed(code, reason) from None
                self._reconnect()
                continue
            if raw is None:
                return None
            event = self.state.take(raw)
            if event is not None:
                return event

    def __iter__(self) -> Iterator[Event]:
        while True:
            try:
                event = self.next()
            except StreamClosed as closed:
                if self._closed.is_set():
                    return
                raise closed from None
            if event is not None:
                yield event

    # ---- actions --------------------------------------------------------------------------
    def send(self, action: str, data: dict[str, Any] | None = None) -> int:
        """Sends an action (`user_typing`, `get_statuses`, ...); answers its seq (its reply carries it as
        seq_reply and is not an event)."""
        socket = self._socket or self._connect()
        seq, frame = self._action(action, data)
        socket.send(frame)
        return seq

    def typing(self, channel_id: str, parent_id: str = "") -> int:
        return self.send("user_typing", {"channel_id": channel_id, "parent_id": parent_id})


class _DaemonThread(threading.Thread):
    """simple-websocket's reader thread, as a daemon: a stream its owner never closed must not keep the
    program from exiting."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, daemon=True, **kwargs)


def _close_of(socket: SocketClient, closed: ConnectionClosed) -> tuple[int, str]:
    """The close code and reason. simple-websocket's client handles only the first event of the read
    that brought the handshake's answer, so a close sent right behind it (a refused token) stays parsed
    in wsproto while the client reports 1005: read it from there."""
    if closed.reason == CloseReason.NO_STATUS_RCVD:
        for event in socket.ws.events():
            if isinstance(event, CloseConnection):
                return event.code, event.reason or ""
    return closed.reason, closed.message or ""
