"""The WebSocket protocol itself: authentication, hello, sequence numbers, resume, actions, bad frames."""

import base64
import json
import os
import socket
import time

import pytest
from simple_websocket import Client

from hub import events
from server.websocket import connections
from tests.wsclient import WsClient, closed_within


def _announce(hub, user_id: str, count: int = 1, name: str = "test_event") -> None:
    hub.bus.publish([events.Event(name, {"n": n}, user_id=user_id) for n in range(count)])


def test_challenge_then_hello_with_seq_zero(ws_connect, admin):
    client = ws_connect(admin)
    assert client.hello["seq"] == 0
    assert len(client.hello["data"]["connection_id"]) == 26
    assert client.hello["data"]["server_version"].startswith("9.")
    assert client.hello["broadcast"]["user_id"] == admin.id


def test_a_bad_token_gets_an_error_and_a_close(live_server):
    ws = Client.connect(f"ws://127.0.0.1:{live_server.port}/api/v4/websocket")
    ws.send(json.dumps({"seq": 1, "action": "authentication_challenge", "data": {"token": "nope"}}))
    reply = json.loads(ws.receive(timeout=3))
    assert reply["status"] == "FAIL" and reply["seq_reply"] == 1
    assert reply["error"]["status_code"] == 401
    assert closed_within(ws)


def test_an_unauthenticated_socket_is_closed(live_server):
    ws = Client.connect(f"ws://127.0.0.1:{live_server.port}/api/v4/websocket")
    assert closed_within(ws, timeout=8)


def test_the_authorization_header_authenticates_at_upgrade(live_server, admin):
    ws = Client.connect(
        f"ws://127.0.0.1:{live_server.port}/api/v4/websocket",
        headers={"Authorization": f"Bearer {admin.token}"},
    )
    hello = json.loads(ws.receive(timeout=3))
    assert hello["event"] == "hello" and hello["seq"] == 0
    ws.close()


def test_sequence_numbers_have_no_gaps(hub, ws_connect, admin):
    client = ws_connect(admin)
    _announce(hub, admin.id, 20)
    last = client.expect("test_event", n=19)
    received = sorted([last, *client.drain()], key=lambda e: e["seq"])
    assert [e["seq"] for e in received] == list(range(1, len(received) + 1))
    assert [e["data"]["n"] for e in received if e["event"] == "test_event"] == list(range(20))


def test_events_for_another_user_are_not_delivered(hub, ws_connect, admin, make_account):
    other = make_account("other")
    mine, theirs = ws_connect(admin), ws_connect(other)
    _announce(hub, other.id)
    assert theirs.expect("test_event")["data"] == {"n": 0}
    assert mine.drain(ignoring=("status_change",)) == []


def test_resume_replays_missed_events(hub, live_server, ws_connect, admin):
    first = ws_connect(admin)
    connection_id = first.hello["data"]["connection_id"]
    _announce(hub, admin.id, 2)
    seen = first.expect("test_event", n=0)["seq"]
    first.close()
    time.sleep(0.2)
    _announce(hub, admin.id, 3, name="while_away")
    again = WsClient(
        live_server.port,
        admin.token,
        query=f"?connection_id={connection_id}&sequence_number={seen + 1}",
        authenticate=False,
    )
    assert again.action("authentication_challenge", {"token": admin.token})["status"] == "OK"
    hello = again.expect("hello")
    assert hello["data"]["connection_id"] == connection_id
    replayed = sorted(again.events + [hello], key=lambda e: e["seq"])
    assert [e["seq"] for e in replayed] == list(range(seen + 1, hello["seq"] + 1))
    names = [e["event"] for e in replayed]
    assert names.count("while_away") == 3 and "test_event" in names
    again.close()


def test_resume_of_an_unknown_connection_starts_afresh(live_server, admin):
    client = WsClient(live_server.port, admin.token, query="?connection_id=unknown&sequence_number=7")
    assert client.hello["seq"] == 0 and client.hello["data"]["connection_id"] != "unknown"
    client.close()


def test_resume_past_the_replay_buffer_starts_afresh(hub, live_server, ws_connect, admin):
    from server.websocket import REPLAY_SIZE

    first = ws_connect(admin)
    connection_id = first.hello["data"]["connection_id"]
    first.close()
    time.sleep(0.2)
    _announce(hub, admin.id, REPLAY_SIZE + 5)
    again = WsClient(live_server.port, admin.token, query=f"?connection_id={connection_id}&sequence_number=1")
    assert again.hello["seq"] == 0 and again.hello["data"]["connection_id"] != connection_id
    again.close()


def test_ping_action_answers_pong(ws_connect, admin):
    reply = ws_connect(admin).action("ping")
    assert reply["status"] == "OK" and reply["data"]["text"] == "pong"
    assert isinstance(reply["data"]["server_time"], int)


@pytest.mark.parametrize("frame", ["not json", "[1,2]", '{"seq": 1}', '{"seq": "x", "action": "ping"}'])
def test_bad_frames_get_an_error_reply_and_the_socket_lives(ws_connect, admin, frame):
    client = ws_connect(admin)
    client.ws.send(frame)
    assert client.next_reply()["status"] == "FAIL"
    assert client.action("ping")["status"] == "OK"


def test_unknown_action_is_an_error(ws_connect, admin):
    reply = ws_connect(admin).action("fly_to_the_moon")
    assert reply["status"] == "FAIL" and reply["error"]["id"] == "api.web_socket_router.bad_action.app_error"


def test_a_huge_frame_closes_the_socket(ws_connect, admin):
    from server.websocket import MAX_FRAME_BYTES

    client = ws_connect(admin)
    client.ws.send(json.dumps({"seq": 1, "action": "ping", "data": {"x": "y" * (MAX_FRAME_BYTES + 10)}}))
    assert closed_within(client.ws)


def test_typing_reaches_the_other_channel_members_only(hub, api, ws_connect, room):
    typist, watcher, outsider = ws_connect(room.owner), ws_connect(room.member), ws_connect(room.outsider)
    assert typist.action("user_typing", {"channel_id": room.channel_id, "parent_id": ""})["status"] == "OK"
    typing = watcher.expect("typing")
    assert typing["data"] == {"parent_id": "", "user_id": room.owner.id}
    assert typing["broadcast"]["channel_id"] == room.channel_id
    assert typist.drain(ignoring=("status_change",)) == []
    assert outsider.drain(ignoring=("status_change",)) == []
    denied = outsider.action("user_typing", {"channel_id": room.channel_id})
    assert denied["status"] == "FAIL" and denied["error"]["status_code"] == 403


def _raw_socket(port: int, token: str, *, offer_compression: bool = False) -> tuple[socket.socket, str]:
    """A WebSocket opened by hand, which reads nothing unless told: answers it and the handshake's head."""
    key = base64.b64encode(os.urandom(16)).decode()
    extensions = "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n"
    request = (
        "GET /api/v4/websocket HTTP/1.1\r\n"
        f"Host: 127.0.0.1:{port}\r\n"
        "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
        f"Sec-WebSocket-Key: {key}\r\n"
        f"{extensions if offer_compression else ''}"
        f"Authorization: Bearer {token}\r\n\r\n"
    )
    connection = socket.create_connection(("127.0.0.1", port), timeout=10)
    connection.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    connection.sendall(request.encode())
    answer = b""
    while b"\r\n\r\n" not in answer:
        answer += connection.recv(1)
    return connection, answer.split(b"\r\n\r\n", 1)[0].decode().lower()


def test_a_client_that_does_not_read_is_dropped_without_stalling_others(
    app, hub, live_server, ws_connect, admin, make_account, monkeypatch
):
    """Dropped by its own backlog, which stops moving once the socket buffers are full."""
    monkeypatch.setattr(connections, "SLOW_CLIENT_SECONDS", 0.5)
    other = make_account("reader")
    reader = ws_connect(other)
    stalled, _ = _raw_socket(live_server.port, admin.token)
    sockets = app.extensions["sockets"]
    deadline = time.monotonic() + 10
    while not sockets.open_count() == 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    stalled_ids = [c for c in list(sockets._connections) if sockets._connections[c].user_id == admin.id]
    padding = "x" * 20_000
    deadline = time.monotonic() + 30
    while any(sockets.holds(c) for c in stalled_ids) and time.monotonic() < deadline:
        hub.bus.publish([events.Event("test_event", {"padding": padding}, user_id=admin.id)] * 50)
        time.sleep(0.05)
    assert not any(sockets.holds(c) for c in stalled_ids)
    _announce(hub, other.id)
    assert reader.expect("test_event", timeout=2)
    stalled.close()


def test_a_burst_larger_than_any_queue_reaches_a_client_that_reads(ws_connect, hub, admin):
    """A healthy client is never dropped for a burst: 2,000 events at once all arrive, in order."""
    client = ws_connect(admin)
    _announce(hub, admin.id, 2000)
    seen = []
    deadline = time.monotonic() + 20
    while len(seen) < 2000 and time.monotonic() < deadline:
        event = client.expect("test_event", timeout=5)
        seen.append(event["data"]["n"])
    assert seen == list(range(2000))


def test_cookie_sessions_must_come_from_this_site(live_server, admin):
    cookie = {"Cookie": f"MMAUTHTOKEN={admin.token}"}
    same_site = Client.connect(
        f"ws://127.0.0.1:{live_server.port}/api/v4/websocket",
        # simple-websocket's client sends a Host header without the port.
        headers={**cookie, "Origin": "http://127.0.0.1"},
    )
    assert json.loads(same_site.receive(timeout=3))["event"] == "hello"
    same_site.close()
    other_site = Client.connect(
        f"ws://127.0.0.1:{live_server.port}/api/v4/websocket",
        headers={**cookie, "Origin": "https://evil.example"},
    )
    assert closed_within(other_site)


def test_compression_is_declined_as_mattermost_does(live_server, admin):
    """A client offering permessage-deflate gets an uncompressed socket: no zlib state per socket."""
    connection, head = _raw_socket(live_server.port, admin.token, offer_compression=True)
    connection.close()
    assert head.startswith("http/1.1 101")
    assert "sec-websocket-extensions" not in head
