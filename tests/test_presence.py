"""Presence: sockets make a user online and offline; manual statuses stay; every change is announced."""

from __future__ import annotations

import time

import pytest

from hub import models
from hub.ids import new_id
from hub.presence import LocalCounter, RedisCounter


def status_changes_of(watcher, account) -> list[dict]:
    return [
        e for e in watcher.drain() if e["event"] == "status_change" and e["data"]["user_id"] == account.id
    ]


def status_of(api, account, user_id: str) -> dict:
    return api.as_(account).get(f"users/{user_id}/status").get_json()


def wait_for_status(api, account, user_id: str, status: str, timeout: float = 3.0) -> dict:
    """A socket's close reaches the server a moment after the client closed it."""
    deadline = time.monotonic() + timeout
    while True:
        shown = status_of(api, account, user_id)
        if shown["status"] == status or time.monotonic() > deadline:
            return shown
        time.sleep(0.05)


def test_first_socket_makes_the_user_online_and_tells_everyone(api, make_account, ws_connect):
    alice, bob = make_account("alice"), make_account("bob")
    watcher = ws_connect(bob)
    before = status_of(api, alice, alice.id)
    assert before["status"] == "offline"

    socket = ws_connect(alice)
    changed = watcher.expect("status_change", user_id=alice.id)
    assert changed["data"] == {"status": "online", "user_id": alice.id}
    assert changed["broadcast"]["user_id"] == "" and changed["broadcast"]["channel_id"] == ""
    assert socket.expect("status_change", user_id=alice.id)["data"]["status"] == "online"
    online = status_of(api, bob, alice.id)
    assert online["status"] == "online" and online["manual"] is False
    assert online["last_activity_at"] > before["last_activity_at"]


def test_the_last_socket_closing_makes_the_user_offline(api, make_account, ws_connect):
    alice, bob = make_account("alice"), make_account("bob")
    watcher = ws_connect(bob)
    first, second = ws_connect(alice), ws_connect(alice)
    assert watcher.expect("status_change", user_id=alice.id)["data"]["status"] == "online"

    first.close()
    assert wait_for_status(api, bob, alice.id, "offline", timeout=0.5)["status"] == "online"
    assert status_changes_of(watcher, alice) == []

    second.close()
    assert wait_for_status(api, bob, alice.id, "offline")["status"] == "offline"
    assert watcher.expect("status_change", user_id=alice.id)["data"] == {
        "status": "offline",
        "user_id": alice.id,
    }


@pytest.mark.parametrize("manual", ["dnd", "away", "offline"])
def test_a_manual_status_survives_sockets_opening_and_closing(api, make_account, ws_connect, manual):
    alice, bob = make_account("alice"), make_account("bob")
    watcher = ws_connect(bob)
    set_status = api.as_(alice).put(f"users/{alice.id}/status", {"user_id": alice.id, "status": manual})
    assert set_status.status_code == 200, set_status.get_data(as_text=True)
    if manual != "offline":  # offline was already the status: nothing changed, nothing to announce
        assert watcher.expect("status_change", user_id=alice.id)["data"] == {
            "status": manual,
            "user_id": alice.id,
        }

    socket = ws_connect(alice)
    time.sleep(0.2)
    assert status_of(api, bob, alice.id)["status"] == manual
    socket.close()
    time.sleep(0.3)
    shown = status_of(api, bob, alice.id)
    assert (shown["status"], shown["manual"]) == (manual, True)
    assert status_changes_of(watcher, alice) == []


def test_setting_a_status_over_rest_is_announced_to_everyone(api, make_account, ws_connect):
    alice, bob, carol = make_account("alice"), make_account("bob"), make_account("carol")
    watchers = [ws_connect(bob), ws_connect(carol)]
    response = api.as_(alice).put(f"users/{alice.id}/status", {"user_id": alice.id, "status": "dnd"})
    assert response.status_code == 200
    for watcher in watchers:
        assert watcher.expect("status_change", user_id=alice.id)["data"] == {
            "status": "dnd",
            "user_id": alice.id,
        }

    back = api.as_(alice).put(f"users/{alice.id}/status", {"user_id": alice.id, "status": "online"})
    assert back.status_code == 200
    assert watchers[0].expect("status_change", user_id=alice.id)["data"]["status"] == "online"


def test_a_refused_status_update_announces_nothing(api, make_account, ws_connect):
    alice, bob = make_account("alice"), make_account("bob")
    watcher = ws_connect(bob)
    refused = api.as_(bob).put(f"users/{alice.id}/status", {"user_id": alice.id, "status": "dnd"})
    assert refused.status_code == 403
    invalid = api.as_(alice).put(f"users/{alice.id}/status", {"user_id": alice.id, "status": "asleep"})
    assert invalid.status_code == 400
    assert status_changes_of(watcher, alice) == []
    assert status_of(api, alice, alice.id)["status"] == "offline"


def test_manual_online_returns_the_user_to_automatic_presence(api, make_account, ws_connect):
    alice = make_account("alice")
    api.as_(alice).put(f"users/{alice.id}/status", {"user_id": alice.id, "status": "away"})
    api.as_(alice).put(f"users/{alice.id}/status", {"user_id": alice.id, "status": "online"})
    socket = ws_connect(alice)
    socket.close()
    assert wait_for_status(api, alice, alice.id, "offline")["status"] == "offline"


def last_activity(hub, user_id: str) -> int:
    with hub.store.read() as s:
        return s.get(models.Status, user_id).last_activity_at


def test_web_app_requests_and_socket_actions_are_activity(api, hub, make_account, ws_connect):
    alice, bob = make_account("alice"), make_account("bob")
    api.as_(alice).get("users/me")
    assert last_activity(hub, alice.id) == 0  # scripts and bots are not a person at the keyboard
    api.as_(alice).get("users/me", headers={"X-Requested-With": "XMLHttpRequest"})
    assert last_activity(hub, alice.id) > 0

    socket = ws_connect(bob)
    with hub.store.write() as s:
        s.get(models.Status, bob.id).last_activity_at = 1
    assert socket.action("ping")["status"] == "OK"
    assert last_activity(hub, bob.id) == 1
    assert socket.action("get_statuses_by_ids", {"user_ids": [alice.id]})["status"] == "OK"
    assert last_activity(hub, bob.id) > 1


def test_activity_is_written_at_most_once_a_minute(hub, make_account):
    alice = make_account("alice")
    hub.statuses.record_activity(alice.id)
    first = last_activity(hub, alice.id)
    time.sleep(0.01)
    hub.statuses.record_activity(alice.id)
    assert last_activity(hub, alice.id) == first > 0


@pytest.fixture(params=["local", "redis"])
def counter(request):
    if request.param == "local":
        return LocalCounter()
    return RedisCounter("127.0.0.1:6379")


def test_counters_count_sockets_per_user(counter):
    alice, bob = new_id(), new_id()
    assert [counter.add(alice, 1), counter.add(alice, 1), counter.add(bob, 1)] == [1, 2, 1]
    assert [counter.add(alice, -1), counter.add(alice, 0), counter.add(alice, -1)] == [1, 1, 0]
    assert counter.add(alice, -1) == 0  # a close the counter never saw does not go below zero
    assert counter.add(bob, -1) == 0


def test_redis_counts_add_up_over_processes():
    alice = new_id()
    first, second = RedisCounter("127.0.0.1:6379"), RedisCounter("127.0.0.1:6379")
    assert (first.add(alice, 1), second.add(alice, 1), second.add(alice, 1)) == (1, 2, 3)
    # One process can only take back its own sockets: a stray close elsewhere cannot hide them.
    assert (first.add(alice, -1), first.add(alice, -1)) == (2, 2)
    assert (second.add(alice, -1), second.add(alice, -1)) == (1, 0)


def test_presence_failing_does_not_fail_the_socket(api, hub, make_account, ws_connect, monkeypatch):
    def redis_is_down(user_id: str, delta: int) -> int:
        raise ConnectionError("Redis is down")

    alice = make_account("alice")
    monkeypatch.setattr(hub.statuses.presence, "add", redis_is_down)
    socket = ws_connect(alice)
    assert socket.action("ping")["status"] == "OK"
    assert status_of(api, alice, alice.id)["status"] == "offline"


def test_an_unexpected_error_closes_the_socket_with_1011(hub, make_account, ws_connect, monkeypatch):
    """Not a 500 response written onto the open socket, which clients can only read as a corrupt frame."""
    from simple_websocket import ConnectionClosed

    def database_is_down(user_id: str) -> None:
        raise RuntimeError("the database is down")

    alice = make_account("alice")
    socket = ws_connect(alice)
    monkeypatch.setattr(hub.statuses, "record_activity", database_is_down)
    socket.ws.send('{"seq": 1, "action": "get_statuses_by_ids", "data": {"user_ids": []}}')
    with pytest.raises(ConnectionClosed):
        while True:
            assert socket._receive(3) is not None, "the socket stayed open"
    assert socket.ws.close_reason == 1011
