"""The client for asyncio programs (the XMPP bridge on slixmpp, bots): the REST calls of Client as
coroutines, and the event stream read on the event loop.

REST calls run the synchronous Client in a worker thread, so that the loop never blocks on the network.
The stream speaks WebSocket itself (wsproto over asyncio streams), with the sync stream's resumption."""

from __future__ import annotations

import asyncio
import functools
import ssl
from collections.abc import AsyncIterator, Callable
from typing import Any
from urllib.parse import urlsplit

from wsproto import ConnectionType, WSConnection
from wsproto.events import AcceptConnection, CloseConnection, Ping, RejectConnection, Request, TextMessage

from hubclient.errors import StreamClosed
from hubclient.events import FINAL_CLOSE_CODES, Event, StreamOptions, backoff_delays
from hubclient.rest import Client

READ_BYTES = 65536


class AsyncClient:
    """Every method of Client, awaited: `await client.create_post(channel_id, "hi")`."""

    def __init__(self, url: str, token: str = "", **options: Any) -> None:
        self.sync = Client(url, token, **options)

    def __getattr__(self, name: str) -> Callable[..., Any]:
        method = getattr(self.sync, name)
        if not callable(method) or name.startswith("_") or name == "events":
            return method

        @functools.wraps(method)
        async def call(*args: Any, **kwargs: Any) -> Any:
            return await asyncio.to_thread(method, *args, **kwargs)

        return call

    def events(self, **options: Any) -> AsyncEventStream:
        return AsyncEventStream(self.sync.url, self.sync.token, **options)


class _Connection:
    """One WebSocket connection on asyncio streams."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, ws: WSConnection) -> None:
        self.reader, self.writer, self.ws = reader, writer, ws
        # Events parsed but not handled yet: one read may bring the handshake's answer and the first frames.
        self.pending: list[Any] = []
        self.parts: list[str] = []

    @classmethod
    async def open(cls, url: str, token: str) -> _Connection:
        parts = urlsplit(url)
        secure = parts.scheme == "wss"
        port = parts.port or (443 if secure else 80)
        reader, writer = await asyncio.open_connection(
            parts.hostname, port, ssl=ssl.create_default_context() if secure else None
        )
        ws = WSConnection(ConnectionType.CLIENT)
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        authorization = (b"authorization", f"Bearer {token}".encode())
        writer.write(ws.send(Request(host=parts.netloc, target=target, extra_headers=[authorization])))
        connection = cls(reader, writer, ws)
        while True:
            event = await connection._next_event()
            if isinstance(event, AcceptConnection):
                return connection
            if isinstance(event, RejectConnection):
                writer.close()
                raise StreamClosed(event.status_code, "the server refused the upgrade")

    async def _next_event(self) -> Any:
        while not self.pending:
            data = await self.reader.read(READ_BYTES)
            if not data:
                raise StreamClosed(1006, "the connection was lost")
            self.ws.receive_data(data)
            self.pending.extend(self.ws.events())
        return self.pending.pop(0)

    async def message(self) -> str:
        """The next text message; raises StreamClosed when the connection ends."""
        while True:
            event = await self._next_event()
            if isinstance(event, TextMessage):
                self.parts.append(event.data)
                if event.message_finished:
                    text, self.parts = "".join(self.parts), []
                    return text
            elif isinstance(event, Ping):
                self.writer.write(self.ws.send(event.response()))
            elif isinstance(event, CloseConnection):
                self._answer_close(event)
                raise StreamClosed(event.code, event.reason or "")
            # Binary frames and pongs carry nothing of Mattermost's.

    def _answer_close(self, event: CloseConnection) -> None:
        try:
            self.writer.write(self.ws.send(event.response()))
        except Exception:  # noqa: BLE001  (wsproto refuses once the peer is gone; nothing to answer then)
            pass
        self.writer.close()

    async def send(self, text: str) -> None:
        self.writer.write(self.ws.send(TextMessage(data=text)))
        await self.writer.drain()

    async def close(self) -> None:
        try:
            self.writer.write(self.ws.send(CloseConnection(code=1000)))
            await self.writer.drain()
        finally:
            self.writer.close()


class AsyncEventStream(StreamOptions):
    """`async for event in stream`, reconnecting and resuming like EventStream."""

    def __init__(self, site_url: str, token: str, **options: Any) -> None:
        super().__init__(site_url, token, **options)
        self._connection: _Connection | None = None
        self._closed = False

    async def _connected(self) -> _Connection:
        if self._connection is None:
            self._connection = await _Connection.open(self.state.url(self.site_url), self.token)
        return self._connection

    async def _reconnect(self) -> None:
        for delay in backoff_delays(self.max_backoff):
            await asyncio.sleep(delay)
            if self._closed:
                raise StreamClosed(1000, "closed by its owner")
            try:
                await self._connected()
                return
            except OSError:
                continue

    async def next(self) -> Event:
        while True:
            if self._closed:
                raise StreamClosed(1000, "closed by its owner")
            connection = await self._connected()
            try:
                raw = await connection.message()
            except (StreamClosed, OSError) as ended:
                self._connection = None
                code = ended.code if isinstance(ended, StreamClosed) else 1006
                if self._closed or not self.reconnect or code in FINAL_CLOSE_CODES:
                    raise (
                        ended if isinstance(ended, StreamClosed) else StreamClosed(code, str(ended))
                    ) from None
                await self._reconnect()
                continue
            event = self.state.take(raw)
            if event is not None:
                return event

    def __aiter__(self) -> AsyncIterator[Event]:
        return self._events()

    async def _events(self) -> AsyncIterator[Event]:
        while True:
            try:
                yield await self.next()
            except StreamClosed:
                if self._closed:
                    return
                raise

    async def send(self, action: str, data: dict[str, Any] | None = None) -> int:
        connection = await self._connected()
        seq, frame = self._action(action, data)
        await connection.send(frame)
        return seq

    async def close(self) -> None:
        self._closed = True
        if self._connection is not None:
            connection, self._connection = self._connection, None
            await connection.close()

    async def __aenter__(self) -> AsyncEventStream:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.close()
