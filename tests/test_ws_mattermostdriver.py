"""The real `mattermostdriver` package's WebSocket (websockets + asyncio) against Hubbub served over HTTP."""

from __future__ import annotations

import asyncio
import json
import threading
from typing import Any

from mattermostdriver import Driver

from hub.permissions import Actor
from tests.fixtures import PASSWORD

WAIT_SECONDS = 10


class DriverSocket:
    """Driver.init_websocket runs its own event loop until disconnected: here in a thread of its own,
    collecting every event until one named `until` has arrived."""

    def __init__(self, driver: Driver, until: str) -> None:
        self.driver = driver
        self.until = until
        self.events: list[dict[str, Any]] = []
        self.connected = threading.Event()
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        asyncio.set_event_loop(asyncio.new_event_loop())
        loop = self.driver.init_websocket(self._handle)
        # The driver leaves its socket open; the socket's keepalive task goes with the loop.
        pending = asyncio.all_tasks(loop)
        for task in pending:
            task.cancel()
        loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
        loop.close()

    async def _handle(self, message: str) -> None:
        frame = json.loads(message)
        if "event" not in frame:
            return  # the reply to the authentication challenge
        self.events.append(frame)
        if frame["event"] == "hello":
            self.connected.set()
        if frame["event"] == self.until:
            self.done.set()
            self.driver.disconnect()

    def __enter__(self) -> DriverSocket:
        self.thread.start()
        assert self.connected.wait(WAIT_SECONDS), "no hello from the server"
        return self

    def __exit__(self, *exc) -> None:
        self.driver.disconnect()
        self.thread.join(timeout=WAIT_SECONDS)
        assert not self.thread.is_alive(), "the driver's event loop did not stop"


def test_the_driver_websocket_gets_hello_and_posted(hub, live_server, make_account):
    make_account("boss", admin=True)
    alice, bob = make_account("alice"), make_account("bob")
    as_alice = Actor(alice.id, "system_user")
    team = hub.teams.create(as_alice, {"name": "devops", "display_name": "DevOps"})
    channel = hub.channels.create(as_alice, {"team_id": team.id, "name": "builds", "display_name": "Builds"})
    with hub.store.write() as s:
        hub.teams.add_member(s, team, bob.id)
        hub.channels.add_member(s, channel, bob.id)

    options = {
        "url": "127.0.0.1",
        "port": live_server.port,
        "scheme": "http",
        "basepath": "/api/v4",
        "timeout": 0.5,
    }
    listener = Driver({**options, "login_id": "bob", "password": PASSWORD})
    listener.login()
    poster = Driver({**options, "token": alice.token})
    poster.login()

    with DriverSocket(listener, "posted") as socket:
        created = poster.posts.create_post({"channel_id": channel.id, "message": "deploy finished"})
        assert socket.done.wait(WAIT_SECONDS), [e["event"] for e in socket.events]

    hello = socket.events[0]
    assert hello["event"] == "hello" and hello["seq"] == 0
    assert hello["broadcast"]["user_id"] == bob.id
    assert len(hello["data"]["connection_id"]) == 26
    posted = socket.events[-1]
    assert posted["broadcast"]["channel_id"] == channel.id
    assert posted["data"]["channel_name"] == "builds" and posted["data"]["sender_name"] == "@alice"
    assert json.loads(posted["data"]["post"]) == created
    assert [e["seq"] for e in socket.events] == list(range(len(socket.events)))
