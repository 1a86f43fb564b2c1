"""hubclient, the project's Python client, against a live Hubbub: REST calls and their errors, the event
stream in sync and asyncio, and its reconnection with resume by Mattermost's rules."""

from __future__ import annotations

import asyncio
import socket
import time

import pytest

from hubclient import ApiError, AsyncClient, Client, StreamClosed
from tests.fixtures import PASSWORD
from tests.receiver import Answer, Receiver

# The client's behaviour does not depend on the server's database.
pytestmark = pytest.mark.databases("sqlite")


@pytest.fixture
def world(hub, live_server, make_account):
    """alice and bob in the team `ops`, signed in through the client."""
    make_account("boss", admin=True)
    alice, bob = make_account("alice"), make_account("bob")
    boss = Client(live_server.url)
    boss.login("boss", PASSWORD)
    team = boss.request("POST", "teams", json={"name": "ops", "display_name": "Ops", "type": "O"})
    for account in (alice, bob):
        boss.add_team_member(team["id"], account.id)
    clients = {}
    for name in ("alice", "bob"):
        clients[name] = Client(live_server.url)
        clients[name].login(name, PASSWORD)
    town = clients["alice"].get_channel_by_name("ops", "town-square")
    return {"url": live_server.url, "team": team, "town": town, **clients, "boss": boss}


def _next_posted(stream, timeout: float = 10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        event = stream.next(timeout=max(0.05, deadline - time.monotonic()))
        if event is not None and event.event == "posted":
            return event
    raise AssertionError("no posted event")


def _drop(stream) -> None:
    """Cuts the stream's TCP connection under it, as a network failure would."""
    stream._socket.sock.shutdown(socket.SHUT_RDWR)


def test_rest_calls(world):
    alice, bob, town = world["alice"], world["bob"], world["town"]
    assert alice.me()["username"] == "alice"
    assert alice.get_user_by_username("bob")["id"] == bob.me()["id"]
    assert world["team"]["id"] == alice.get_team_by_name("ops")["id"]
    root = alice.create_post(town["id"], "deploying **v2**", pending_post_id="p1")
    assert alice.create_post(town["id"], "deploying **v2**", pending_post_id="p1")["id"] == root["id"]
    reply = bob.create_post(town["id"], "go", root_id=root["id"], props={"source": "client"})
    assert reply["props"]["source"] == "client"
    assert set(alice.get_thread(root["id"])["order"]) == {root["id"], reply["id"]}
    assert alice.patch_post(root["id"], message="deployed v2")["message"] == "deployed v2"
    since = alice.get_posts(town["id"], since=root["create_at"] - 1)
    assert {root["id"], reply["id"]} <= set(since["posts"])
    bob.add_reaction(root["id"], "rocket")
    assert [r["emoji_name"] for r in alice.get_post(root["id"])["metadata"]["reactions"]] == ["rocket"]
    bob.remove_reaction(root["id"], "rocket")
    info = alice.upload_file(town["id"], "notes.txt", b"release notes")
    assert info["name"] == "notes.txt" and info["size"] == 13
    alice.create_post(town["id"], "attached", file_ids=[info["id"]])
    assert bob.get_file(info["id"]) == b"release notes"
    direct = alice.direct_channel(alice.user_id, bob.user_id)
    assert direct["type"] == "D"
    bob.delete_post(reply["id"])
    with pytest.raises(ApiError) as refused:
        alice.get_post(reply["id"])
    assert refused.value.status_code == 404 and refused.value.id


def test_errors_carry_mattermosts_fields(world):
    with pytest.raises(ApiError) as refused:
        Client(world["url"]).login("alice", "wrong")
    error = refused.value
    assert (error.status_code, error.id) == (401, "api.user.login.invalid_credentials_email_username")
    assert error.request_id and error.message
    with pytest.raises(ApiError) as unknown:
        world["alice"].get_channel_by_name("ops", "../../users/me")
    assert unknown.value.status_code == 404


def test_a_429_is_waited_out_for_its_retry_after():
    answers = iter([Answer.json({"id": "api.rate_limit", "message": "slow", "status_code": 429}, 429)])
    receiver = Receiver()
    receiver.answer = lambda _request: next(answers, Answer.json({"id": "me"}))
    try:
        started = time.monotonic()
        assert Client(receiver.url().rstrip("/")).request("GET", "users/me") == {"id": "me"}
        assert time.monotonic() - started >= 0.9  # no Retry-After: a second
        assert receiver.next().path == "/api/v4/users/me" and receiver.next().path == "/api/v4/users/me"
    finally:
        receiver.close()


def test_the_stream_gets_events_and_resumes_after_a_lost_connection(world):
    alice, bob, town = world["alice"], world["bob"], world["town"]
    resets = []
    with alice.events(on_reset=lambda: resets.append(1)) as stream:
        hello = stream.next(timeout=10)
        assert hello.event == "hello" and hello.seq == 0
        first_id = stream.connection_id
        bob.create_post(town["id"], "one")
        assert _next_posted(stream).post["message"] == "one"

        _drop(stream)
        time.sleep(0.3)
        bob.create_post(town["id"], "while away")
        assert _next_posted(stream).post["message"] == "while away"
        assert stream.connection_id == first_id and resets == []

        stream.typing(town["id"])


def test_a_stream_the_server_cannot_resume_reports_a_reset(world):
    alice, bob, town = world["alice"], world["bob"], world["town"]
    resets = []
    with alice.events(on_reset=lambda: resets.append(stream.connection_id)) as stream:
        assert stream.next(timeout=10).event == "hello"
        # As after a restart of the server: it does not know the connection any more, so it starts a
        # new one, and what was sent meanwhile is lost to the stream (its owner catches up over REST).
        forgotten = "b" * 26
        stream.state.connection_id = forgotten
        before = int(time.time() * 1000)
        _drop(stream)
        missed = bob.create_post(town["id"], "in the gap")
        deadline = time.monotonic() + 10
        while not resets and time.monotonic() < deadline:
            stream.next(timeout=0.5)
        assert resets == [forgotten] and stream.connection_id not in ("", forgotten)
        assert missed["id"] in alice.get_posts(town["id"], since=before)["posts"]
        bob.create_post(town["id"], "after the gap")
        assert _next_posted(stream).post["message"] == "after the gap"


def test_a_refused_token_ends_the_stream(world):
    with pytest.raises(StreamClosed) as closed:
        Client(world["url"], "x" * 26).events().next(timeout=10)
    assert closed.value.code == 1008


def test_asyncio_client_and_stream(world):
    town, bob = world["town"], world["bob"]

    async def scenario() -> list[str]:
        client = AsyncClient(world["url"], world["alice"].token)
        me = await client.me()
        assert me["username"] == "alice"
        seen = []
        async with client.events() as stream:
            hello = await stream.next()
            assert hello.event == "hello"
            await asyncio.to_thread(bob.create_post, town["id"], "async one")
            async for event in stream:
                if event.event == "posted":
                    seen.append(event.post["message"])
                    break
            # A lost connection is resumed: nothing posted meanwhile is missed.
            stream._connection.writer.transport.abort()
            await asyncio.sleep(0.3)
            await asyncio.to_thread(bob.create_post, town["id"], "async two")
            while True:
                event = await stream.next()
                if event.event == "posted":
                    seen.append(event.post["message"])
                    break
            await stream.send("user_typing", {"channel_id": town["id"]})
            assert (await client.create_post(town["id"], "from the loop"))["message"] == "from the loop"
        return seen

    assert asyncio.run(scenario()) == ["async one", "async two"]
