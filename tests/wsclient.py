"""A small synchronous Mattermost WebSocket client for tests, on simple-websocket's client."""

from __future__ import annotations

import json
import time
from typing import Any

from simple_websocket import Client, ConnectionClosed


class WsClient:
    def __init__(self, port: int, token: str = "", query: str = "", authenticate: bool = True) -> None:
        self.url = f"ws://127.0.0.1:{port}/api/v4/websocket{query}"
        self.ws = Client.connect(self.url)
        self.events: list[dict[str, Any]] = []
        self.replies: list[dict[str, Any]] = []
        self._seq = 0
        self.hello: dict[str, Any] | None = None
        if authenticate:
            reply = self.action("authentication_challenge", {"token": token})
            assert reply["status"] == "OK", reply
            self.hello = self.expect("hello")

    def _receive(self, timeout: float) -> dict[str, Any] | None:
        raw = self.ws.receive(timeout=timeout)
        if raw is None:
            return None
        frame = json.loads(raw)
        (self.replies if "seq_reply" in frame else self.events).append(frame)
        return frame

    def action(self, action: str, data: dict | None = None, timeout: float = 5.0) -> dict[str, Any]:
        """Sends an action and answers its reply (events that arrive meanwhile are kept)."""
        self._seq += 1
        seq = self._seq
        self.ws.send(json.dumps({"seq": seq, "action": action, "data": data or {}}))
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for reply in self.replies:
                if reply["seq_reply"] == seq:
                    self.replies.remove(reply)
                    return reply
            self._receive(max(0.01, deadline - time.monotonic()))
        raise AssertionError(f"no reply to {action} within {timeout}s")

    def expect(self, event: str, timeout: float = 5.0, **data_matches: Any) -> dict[str, Any]:
        """Waits for the first unseen event of that name (and data values); earlier ones stay kept."""
        deadline = time.monotonic() + timeout
        seen = 0
        while True:
            for frame in self.events[seen:]:
                if frame["event"] == event and all(
                    frame["data"].get(k) == v for k, v in data_matches.items()
                ):
                    self.events.remove(frame)
                    return frame
            seen = len(self.events)
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(
                    f"no {event} event within {timeout}s; got {[e['event'] for e in self.events]}"
                )
            self._receive(left)

    def drain(self, quiet: float = 0.3, ignoring: tuple[str, ...] = ()) -> list[dict[str, Any]]:
        """Everything that arrives until the socket stays quiet for `quiet` seconds, less the
        events named in `ignoring` (presence changes of other tests' users, say)."""
        while self._receive(quiet) is not None:
            pass
        drained, self.events = self.events, []
        return [frame for frame in drained if frame["event"] not in ignoring]

    def next_reply(self, timeout: float = 5.0) -> dict[str, Any]:
        """The next reply frame, for frames sent raw with `ws.send`."""
        deadline = time.monotonic() + timeout
        while not self.replies:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"no reply within {timeout}s")
            self._receive(left)
        return self.replies.pop(0)

    def close(self) -> None:
        self.ws.close()


def closed_within(ws: Client, timeout: float = 3.0) -> bool:
    """Whether the server closes the socket within `timeout` seconds (what comes before is dropped)."""
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            ws.receive(timeout=0.1)
    except ConnectionClosed:
        return True
    return False
