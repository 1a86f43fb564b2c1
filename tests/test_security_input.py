"""Malformed input at every boundary answers a 400 (or 413) AppError, stores nothing, and what Hubbub
writes out is strict JSON: no NaN or Infinity, no integer past 64 bits, no NUL, no lone surrogate."""

from __future__ import annotations

import math

import pytest
from sqlalchemy import update

from hub import jsonsafe, models
from tests.fixtures import assert_app_error

NOT_STRICT_JSON = {
    "NaN": '{"channel_id": "%s", "message": "x", "props": {"n": NaN}}',
    "Infinity": '{"channel_id": "%s", "message": "x", "props": {"n": -Infinity}}',
    "overflowing float": '{"channel_id": "%s", "message": "x", "props": {"n": 1e400}}',
    "integer past int64": '{"channel_id": "%s", "message": "x", "props": {"n": 9223372036854775808}}',
    "lone surrogate": '{"channel_id": "%s", "message": "x\\ud800y"}',
    "NUL": '{"channel_id": "%s", "message": "x\\u0000y"}',
    "NUL in a key": '{"channel_id": "%s", "message": "x", "props": {"a\\u0000": "b"}}',
    "deep nesting": '{"channel_id": "%s", "message": "x", "props": {"n": '
    + "[" * 50_000
    + "]" * 50_000
    + "}}",
}


@pytest.mark.parametrize("body", NOT_STRICT_JSON.values(), ids=NOT_STRICT_JSON.keys())
def test_posts_refuse_json_that_strict_clients_cannot_read(api, room, body):
    client = api.as_(room.owner)
    answer = client.post("posts", data=body % room.channel_id, headers={"Content-Type": "application/json"})
    assert_app_error(answer, 400, "api.context.invalid_body_param.app_error")
    assert client.get(f"channels/{room.channel_id}/posts").get_json()["order"] == []


def test_strict_limits_are_not_too_strict(api, room):
    props = {"n": 2**63 - 1, "m": -(2**63), "f": 1.5e300, "nested": [[[[{"ok": "\u00e9\U0001f600\t\n"}]]]]}
    answer = api.as_(room.owner).post(
        "posts", {"channel_id": room.channel_id, "message": "fine", "props": props}
    )
    assert answer.status_code == 201, answer.get_data(as_text=True)
    assert jsonsafe.loads(answer.get_data())["props"]["n"] == 2**63 - 1


def test_a_value_stored_before_the_checks_reads_back_as_null(api, hub, room):
    created = api.as_(room.owner).post(
        "posts", {"channel_id": room.channel_id, "message": "old", "props": {}}
    )
    post_id = created.get_json()["id"]
    # Older data (or another writer) could hold a non-finite number; written out it must stay strict JSON.
    legacy_props = {"n": math.nan, "list": [math.inf]}
    with hub.store.engine.begin() as c:
        c.execute(update(models.Post).where(models.Post.id == post_id).values(props=legacy_props))
    raw = api.as_(room.owner).get(f"posts/{post_id}").get_data()
    assert jsonsafe.loads(raw)["props"] == {"n": None, "list": [None]}


@pytest.mark.parametrize(
    "path",
    [
        "users/autocomplete?name=a%00b",
        "channels/{channel}/posts?since=99999999999999999999999",
        "channels/{channel}/posts?page=9223372036854775807&per_page=60",
        "channels/{channel}/posts?page=-1",
        "users?page=1e3",
        "posts/{post}/thread?perPage=%D9%A3",
    ],
)
def test_query_parameters_past_what_the_database_holds_are_refused(api, room, path):
    post = api.as_(room.owner).post("posts", {"channel_id": room.channel_id, "message": "x"}).get_json()
    answer = api.as_(room.owner).get(path.format(channel=room.channel_id, post=post["id"]))
    assert_app_error(answer, 400)


def test_nul_in_a_search_term_is_a_400_on_every_database(api, room):
    answer = api.as_(room.owner).post(f"teams/{room.team_id}/posts/search", {"terms": "a\u0000b"})
    assert_app_error(answer, 400)


def test_a_value_past_a_columns_range_is_a_400_not_a_500(api, room):
    category = {"category": "display_settings", "name": "n", "user_id": room.owner.id, "value": "x" * 70_000}
    answer = api.as_(room.owner).put(f"users/{room.owner.id}/preferences", [category])
    assert answer.status_code in (200, 400), answer.get_data(as_text=True)
    if answer.status_code == 400:
        assert_app_error(answer, 400)


def test_ping_has_mattermosts_keys_and_checks_the_server_when_asked(api):
    plain = api.get("system/ping").get_json()
    for key in ("AndroidLatestVersion", "AndroidMinVersion", "IosLatestVersion", "IosMinVersion"):
        assert plain[key] == ""
    assert "database_status" not in plain
    checked = api.get("system/ping?get_server_status=true")
    assert checked.status_code == 200
    assert checked.get_json()["database_status"] == "OK"
    assert checked.get_json()["filestore_status"] == "OK"
