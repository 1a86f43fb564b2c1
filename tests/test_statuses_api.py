"""User statuses over the REST API."""

from __future__ import annotations

from hub import models
from hub.ids import new_id, now_ms
from tests.fixtures import assert_app_error

STATUS_KEYS = {"user_id", "status", "manual", "last_activity_at", "dnd_end_time"}


def put_status(client, user_id: str, status: str, **extra):
    return client.put(f"users/{user_id}/status", {"user_id": user_id, "status": status, **extra})


def test_new_user_is_offline(api, make_account):
    alice = make_account("alice")
    response = api.as_(alice).get(f"users/{alice.id}/status")
    assert response.status_code == 200 and response.headers["Content-Type"] == "application/json"
    assert response.get_json() == {
        "user_id": alice.id,
        "status": "offline",
        "manual": False,
        "last_activity_at": 0,
        "dnd_end_time": 0,
    }


def test_user_without_a_status_row_answers_offline(api, hub, make_account):
    alice, bob = make_account("alice"), make_account("bob")
    with hub.store.write() as s:
        s.delete(s.get(models.Status, bob.id))
    assert api.as_(alice).get(f"users/{bob.id}/status").get_json()["status"] == "offline"


def test_set_each_status(api, make_account):
    alice = make_account("alice")
    me = api.as_(alice)
    before = now_ms()

    online = put_status(me, alice.id, "online")
    assert online.status_code == 200 and set(online.get_json()) == STATUS_KEYS
    # As in Mattermost, "online" is never manual, so automatic presence may still mark the user away.
    assert online.get_json()["status"] == "online" and online.get_json()["manual"] is False
    assert online.get_json()["last_activity_at"] >= before

    away = put_status(me, alice.id, "away").get_json()
    assert away["status"] == "away" and away["manual"] is True

    offline = put_status(me, alice.id, "offline").get_json()
    assert offline["status"] == "offline" and offline["manual"] is True

    dnd = put_status(me, alice.id, "dnd", dnd_end_time=1_900_000_123).get_json()
    assert dnd["status"] == "dnd" and dnd["manual"] is True
    assert dnd["dnd_end_time"] == 1_900_000_080  # whole minutes

    assert api.as_(alice).get("users/me/status").get_json() == dnd
    # The body names the user by id even when the URL says "me".
    assert_app_error(put_status(me, "me", "online"), 400, "api.context.invalid_param.app_error")
    assert put_status(me, alice.id, "online").get_json()["dnd_end_time"] == 0


def test_dnd_remembers_the_previous_status(api, hub, make_account):
    alice = make_account("alice")
    me = api.as_(alice)
    put_status(me, alice.id, "away")
    put_status(me, alice.id, "dnd")
    put_status(me, alice.id, "dnd", dnd_end_time=0)
    with hub.store.read() as s:
        row = s.get(models.Status, alice.id)
    assert (row.status, row.prev_status, row.dnd_end_time) == ("dnd", "away", 0)


def test_bad_status_updates(api, admin, make_account):
    alice, bob = make_account("alice"), make_account("bob")
    me = api.as_(alice)
    assert_app_error(put_status(me, alice.id, "busy"), 400, "api.context.invalid_param.app_error")
    assert_app_error(put_status(me, alice.id, 5), 400)
    assert_app_error(put_status(me, alice.id, "dnd", dnd_end_time="soon"), 400)
    assert_app_error(put_status(me, alice.id, "dnd", dnd_end_time=-5), 400)
    assert_app_error(me.put(f"users/{alice.id}/status", {"user_id": bob.id, "status": "away"}), 400)
    assert_app_error(
        me.put(f"users/{alice.id}/status", ["away"]), 400, "api.context.invalid_body_param.app_error"
    )
    assert_app_error(put_status(me, bob.id, "away"), 403, "api.context.permissions.app_error")
    assert_app_error(put_status(api, alice.id, "away"), 401)
    assert me.get(f"users/{alice.id}/status").get_json()["status"] == "offline"

    assert put_status(api.as_(admin), bob.id, "dnd").get_json()["status"] == "dnd"
    assert_app_error(put_status(api.as_(admin), new_id(), "away"), 404, "app.user.missing_account.const")
    assert_app_error(api.as_(admin).get("users/not-an-id/status"), 400)


def test_statuses_by_ids(api, make_account):
    alice, bob = make_account("alice"), make_account("bob")
    put_status(api.as_(bob), bob.id, "away")
    stranger = new_id()
    response = api.as_(alice).post("users/status/ids", [bob.id, alice.id, stranger, bob.id])
    assert response.status_code == 200
    assert [(s["user_id"], s["status"]) for s in response.get_json()] == [
        (bob.id, "away"),
        (alice.id, "offline"),
        (stranger, "offline"),
    ]
    for body in ([], ["short"], [5], {"ids": [alice.id]}):
        assert_app_error(api.as_(alice).post("users/status/ids", body), 400)
    assert_app_error(api.post("users/status/ids", [alice.id]), 401)
