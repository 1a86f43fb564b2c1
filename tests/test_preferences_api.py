"""User preferences over the REST API."""

from __future__ import annotations

import json

from hub import models
from hub.ids import new_id, now_ms
from tests.fixtures import assert_app_error


def pref(user_id: str, category: str, name: str, value: str = "") -> dict:
    return {"user_id": user_id, "category": category, "name": name, "value": value}


def test_save_list_and_read_back(api, make_account):
    alice = make_account("alice")
    me = api.as_(alice)
    assert me.get("users/me/preferences").get_json() == []
    saved = me.put(
        f"users/{alice.id}/preferences",
        [
            pref(alice.id, "display_settings", "use_military_time", "true"),
            pref(alice.id, "display_settings", "name_format", "username"),
            pref(alice.id, "direct_channel_show", new_id(), "true"),
        ],
    )
    assert saved.status_code == 200 and saved.get_json() == {"status": "OK"}

    everything = me.get("users/me/preferences")
    assert everything.status_code == 200 and everything.headers["Content-Type"] == "application/json"
    assert len(everything.get_json()) == 3
    assert {"user_id", "category", "name", "value"} == set(everything.get_json()[0])

    display = me.get(f"users/{alice.id}/preferences/display_settings").get_json()
    assert display == [
        pref(alice.id, "display_settings", "name_format", "username"),
        pref(alice.id, "display_settings", "use_military_time", "true"),
    ]
    one = me.get("users/me/preferences/display_settings/name/use_military_time")
    assert one.get_json() == pref(alice.id, "display_settings", "use_military_time", "true")


def test_save_is_an_upsert_and_the_last_duplicate_wins(api, make_account):
    alice = make_account("alice")
    me = api.as_(alice)
    me.put("users/me/preferences", [pref(alice.id, "advanced_settings", "send_on_ctrl_enter", "false")])
    me.put(
        "users/me/preferences",
        [
            pref(alice.id, "advanced_settings", "send_on_ctrl_enter", "true"),
            pref(alice.id, "advanced_settings", "send_on_ctrl_enter", "code_only"),
        ],
    )
    assert me.get("users/me/preferences").get_json() == [
        pref(alice.id, "advanced_settings", "send_on_ctrl_enter", "code_only")
    ]


def test_delete(api, make_account):
    alice = make_account("alice")
    me = api.as_(alice)
    me.put(
        "users/me/preferences",
        [
            pref(alice.id, "favorite_channel", "a" * 26, "true"),
            pref(alice.id, "favorite_channel", "b" * 26, "true"),
        ],
    )
    deleted = me.post(
        "users/me/preferences/delete",
        [pref(alice.id, "favorite_channel", "a" * 26), pref(alice.id, "favorite_channel", "never-saved")],
    )
    assert deleted.status_code == 200 and deleted.get_json() == {"status": "OK"}
    assert [p["name"] for p in me.get("users/me/preferences").get_json()] == ["b" * 26]


def test_missing_category_is_404_and_missing_name_is_400_as_in_mattermost(api, make_account):
    alice = make_account("alice")
    me = api.as_(alice)
    assert_app_error(
        me.get("users/me/preferences/theme"), 404, "api.preference.preferences_category.get.app_error"
    )
    assert_app_error(me.get("users/me/preferences/theme/name/x"), 400, "app.preference.get.app_error")
    assert_app_error(me.get("users/me/preferences/bad-category"), 400, "api.context.invalid_param.app_error")


def test_only_the_user_or_a_system_admin(api, admin, make_account):
    alice, bob = make_account("alice"), make_account("bob")
    api.as_(alice).put(
        "users/me/preferences", [pref(alice.id, "display_settings", "colorize_usernames", "true")]
    )
    as_bob = api.as_(bob)
    assert_app_error(as_bob.get(f"users/{alice.id}/preferences"), 403, "api.context.permissions.app_error")
    assert_app_error(as_bob.get(f"users/{alice.id}/preferences/display_settings"), 403)
    assert_app_error(
        as_bob.get(f"users/{alice.id}/preferences/display_settings/name/colorize_usernames"), 403
    )
    assert_app_error(
        as_bob.put(f"users/{alice.id}/preferences", [pref(alice.id, "display_settings", "x", "y")]), 403
    )
    assert_app_error(
        as_bob.post(f"users/{alice.id}/preferences/delete", [pref(alice.id, "display_settings", "x")]), 403
    )
    assert_app_error(api.get(f"users/{alice.id}/preferences"), 401)

    as_admin = api.as_(admin)
    assert len(as_admin.get(f"users/{alice.id}/preferences").get_json()) == 1
    assert (
        as_admin.put(
            f"users/{alice.id}/preferences", [pref(alice.id, "display_settings", "x", "y")]
        ).status_code
        == 200
    )
    assert_app_error(as_admin.get(f"users/{new_id()}/preferences"), 404, "app.user.missing_account.const")
    assert_app_error(as_admin.get("users/not-an-id/preferences"), 400)


def test_each_preference_must_name_the_user_of_the_url(api, make_account):
    alice, bob = make_account("alice"), make_account("bob")
    me = api.as_(alice)
    assert_app_error(
        me.put(
            "users/me/preferences",
            [pref(alice.id, "display_settings", "a", "1"), pref(bob.id, "display_settings", "b", "1")],
        ),
        403,
        "api.preference.update_preferences.set.app_error",
    )
    assert_app_error(
        me.post("users/me/preferences/delete", [pref(bob.id, "display_settings", "a")]),
        403,
        "api.preference.delete_preferences.delete.app_error",
    )
    assert me.get("users/me/preferences").get_json() == []


def test_invalid_preferences_are_400(api, make_account):
    alice = make_account("alice")
    me = api.as_(alice)
    cases = [
        ([pref(alice.id, "", "name", "v")], "model.preference.is_valid.category.app_error"),
        ([pref(alice.id, "c" * 33, "name", "v")], "model.preference.is_valid.category.app_error"),
        ([pref(alice.id, "display_settings", "n" * 33, "v")], "model.preference.is_valid.name.app_error"),
        ([pref(alice.id, "display_settings", "n", "v" * 20001)], "model.preference.is_valid.value.app_error"),
        ([pref(alice.id, "theme", "", "not json")], "model.preference.is_valid.theme.app_error"),
        ([pref(alice.id, "theme", "", '{"sidebarBg": 5}')], "model.preference.is_valid.theme.app_error"),
        (
            [pref(alice.id, "sidebar_settings", "limit_visible_dms_gms", "41")],
            "model.preference.is_valid.limit_visible_dms_gms.app_error",
        ),
        ([{**pref(alice.id, "display_settings", "n"), "value": 5}], "api.context.invalid_param.app_error"),
        (["not an object"], "api.context.invalid_param.app_error"),
        ([pref(alice.id, "flagged_post", new_id(), "true")], "api.context.invalid_param.app_error"),
    ]
    for body, error_id in cases:
        assert_app_error(me.put("users/me/preferences", body), 400, error_id)
    assert_app_error(
        me.put("users/me/preferences", {"not": "a list"}), 400, "api.context.invalid_body_param.app_error"
    )
    assert_app_error(
        me.request("PUT", "users/me/preferences", data="[{", headers={"Content-Type": "application/json"}),
        400,
    )
    assert me.get("users/me/preferences").get_json() == []


def test_theme_values_are_kept_to_colours(api, make_account):
    alice = make_account("alice")
    me = api.as_(alice)
    theme = {
        "type": "Custom",
        "sidebarBg": "#1543a4",
        "centerChannelBg": "url(javascript:x)",
        "codeTheme": "github",
    }
    me.put("users/me/preferences", [pref(alice.id, "theme", "", json.dumps(theme))])
    stored = json.loads(me.get("users/me/preferences/theme").get_json()[0]["value"])
    assert stored == {**theme, "centerChannelBg": "#ffffff"}


def test_flagging_a_post_needs_read_access_to_it(api, hub, make_account):
    alice, bob = make_account("alice"), make_account("bob")
    now = now_ms()
    with hub.store.write() as s:
        channel = models.Channel(
            id=new_id(), create_at=now, update_at=now, type="P", name="hidden", team_id=new_id()
        )
        post = models.Post(id=new_id(), create_at=now, update_at=now, user_id=alice.id, channel_id=channel.id)
        s.add_all([channel, post])
        s.flush()
        hub.channels.add_member(s, channel, alice.id)
    flag_alice = [pref(alice.id, "flagged_post", post.id, "true")]
    assert api.as_(alice).put("users/me/preferences", flag_alice).status_code == 200
    assert_app_error(
        api.as_(bob).put("users/me/preferences", [pref(bob.id, "flagged_post", post.id, "true")]),
        403,
        "api.context.permissions.app_error",
    )
