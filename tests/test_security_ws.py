"""WebSocket hardening: sockets end with their session, and users and addresses hold a bounded number."""

from __future__ import annotations

import time
from contextlib import ExitStack

import pytest
import requests
from simple_websocket import Client, ConnectionClosed
from wsproto.events import CloseConnection
from wsproto.frame_protocol import CloseReason

from hub import models
from hub.ids import now_ms
from hubbub import create_app
from server.websocket import POLICY_VIOLATION
from tests.fixtures import LiveServer
from tests.wsclient import WsClient

# Generous: these only bound how long a broken server keeps a test waiting.
DEADLINE_SECONDS = 20.0


def close_of(ws: Client, deadline: float = DEADLINE_SECONDS) -> tuple[int, str]:
    """The close code and reason the server sends, reading (and dropping) whatever comes before it."""
    give_up = time.monotonic() + deadline
    while time.monotonic() < give_up:
        try:
            ws.receive(timeout=0.2)
        except ConnectionClosed as closed:
            if closed.reason == CloseReason.NO_STATUS_RCVD:
                return _close_left_in_the_handshake(ws)
            return closed.reason, closed.message
    raise AssertionError(f"the socket was still open after {deadline}s")


def _close_left_in_the_handshake(ws: Client) -> tuple[int, str]:
    """simple-websocket's Client takes only the first event from the read that brought the handshake's
    answer: a close the server sent right behind it stays parsed but unread in wsproto, and the client
    reports 1005 when the TCP connection ends. The close is there; read it from wsproto."""
    for event in ws.ws.events():
        if isinstance(event, CloseConnection):
            return event.code, event.reason
    return CloseReason.NO_STATUS_RCVD, ""


def connect_with_header(port: int, token: str) -> Client:
    return Client.connect(
        f"ws://127.0.0.1:{port}/api/v4/websocket", headers={"Authorization": f"Bearer {token}"}
    )


def open_once_slots_free(port: int, token: str) -> WsClient:
    """A socket is counted until the server has seen it close, which it learns a moment after the client."""
    give_up = time.monotonic() + DEADLINE_SECONDS
    while True:
        try:
            return WsClient(port, token)
        except ConnectionClosed:
            if time.monotonic() > give_up:
                raise
            time.sleep(0.1)


def set_session_times(hub, token: str, **times: int) -> None:
    from hub.security import hash_token

    with hub.store.write() as s:
        session = s.query(models.Session).filter_by(token_hash=hash_token(token)).one()
        for name, value in times.items():
            setattr(session, name, value)


@pytest.fixture
def serve_with(hub_factory):
    """Starts live servers on hubs with these ServiceSettings: serve_with(Setting=value, ...)."""
    with ExitStack() as running:

        def start(**service_settings) -> LiveServer:
            app = create_app(hub=hub_factory(ServiceSettings=service_settings))
            return running.enter_context(LiveServer(app))

        yield start


# ---- session expiry --------------------------------------------------------------------------------
def test_a_socket_is_closed_when_its_session_expires(hub, live_server, make_account):
    account = make_account("expiring")
    set_session_times(hub, account.token, expires_at=now_ms() + 1000)
    client = WsClient(live_server.port, account.token)
    assert close_of(client.ws) == (POLICY_VIOLATION, "session expired")
    # The connection is forgotten as well: resuming it with the dead session is refused.
    again = Client.connect(
        f"ws://127.0.0.1:{live_server.port}/api/v4/websocket"
        f"?connection_id={client.hello['data']['connection_id']}&sequence_number=1",
        headers={"Authorization": f"Bearer {account.token}"},
    )
    assert close_of(again) == (POLICY_VIOLATION, "invalid token")


def test_a_session_extended_by_activity_keeps_its_socket(hub, live_server, make_account):
    account = make_account("active")
    first_expiry = now_ms() + 3000
    # Last active long ago, so the next REST call writes its activity and extends the session.
    set_session_times(hub, account.token, expires_at=first_expiry, last_activity_at=now_ms() - 3600_000)
    client = WsClient(live_server.port, account.token)
    me = requests.get(
        f"{live_server.url}/api/v4/users/me", headers={"Authorization": f"Bearer {account.token}"}, timeout=10
    )
    assert me.status_code == 200, me.text
    while now_ms() <= first_expiry + 200:
        time.sleep(0.1)
    # Past the expiry the socket knew at its start: the server looks again and finds the session extended.
    assert client.action("ping")["status"] == "OK"
    client.close()


def test_a_socket_opened_with_a_personal_access_token_does_not_expire(hub, live_server, make_account):
    account = make_account("tokened")
    _, access_token = hub.auth.create_token(None, account.id, "socket")
    client = WsClient(live_server.port, access_token)
    assert client.action("ping")["status"] == "OK"
    client.close()


# ---- connection limits -----------------------------------------------------------------------------
def test_a_user_holds_a_bounded_number_of_sockets(serve_with, make_account):
    account, other = make_account("greedy"), make_account("neighbour")
    port = serve_with(MaximumWebSocketConnectionsPerUser=2).port
    first, _second = WsClient(port, account.token), WsClient(port, account.token)
    refused = connect_with_header(port, account.token)
    assert close_of(refused) == (POLICY_VIOLATION, "too many connections for this user")
    # Another user is not affected, and a closed socket gives its slot back.
    neighbour = WsClient(port, other.token)
    assert neighbour.hello is not None
    neighbour.close()
    first.close()
    assert open_once_slots_free(port, account.token).hello is not None


def test_an_address_holds_a_bounded_number_of_sockets_authenticated_or_not(serve_with, make_account):
    account = make_account("crowd")
    port = serve_with(
        # The window must outlast opening four sockets on a loaded machine, or the silent ones are gone.
        MaximumWebSocketConnectionsPerRemoteAddress=3,
        WebSocketAuthenticationTimeoutSeconds=10,
    ).port
    silent = [Client.connect(f"ws://127.0.0.1:{port}/api/v4/websocket") for _ in range(3)]
    refused = connect_with_header(port, account.token)
    assert close_of(refused) == (POLICY_VIOLATION, "too many connections from this address")
    # Sockets that never authenticate are closed once their window is over, which frees their slots.
    for ws in silent:
        assert close_of(ws) == (POLICY_VIOLATION, "no authentication")
    assert open_once_slots_free(port, account.token).hello is not None


def test_an_unauthenticated_socket_is_closed_after_the_configured_window(serve_with):
    port = serve_with(WebSocketAuthenticationTimeoutSeconds=1).port
    ws = Client.connect(f"ws://127.0.0.1:{port}/api/v4/websocket")
    assert close_of(ws) == (POLICY_VIOLATION, "no authentication")
