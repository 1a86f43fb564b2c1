"""Bot accounts (/api/v4/bots), as Mattermost's api4/bot.go answers them: created and managed by system
admins, invisible to others, disabled bots can do nothing, owners' deactivation takes their bots along."""

import io

import pytest

from tests.fixtures import assert_app_error
from tests.wsclient import WsClient, closed_within

NOT_FOUND = "store.sql_bot.get.missing.app_error"


def _create(api, account, **fields) -> dict:
    answer = api.as_(account).post(
        "bots", {"username": "ci-bot", "display_name": "CI", "description": "Builds", **fields}
    )
    assert answer.status_code == 201, answer.get_data(as_text=True)
    return answer.get_json()


def test_a_system_admin_creates_a_bot_with_mattermosts_shape(api, admin):
    bot = _create(api, admin)
    assert set(bot) == {
        "user_id",
        "username",
        "display_name",
        "description",
        "owner_id",
        "create_at",
        "update_at",
        "delete_at",
    }
    assert (bot["username"], bot["display_name"], bot["description"]) == ("ci-bot", "CI", "Builds")
    assert (bot["owner_id"], bot["delete_at"]) == (admin.id, 0)
    assert bot["create_at"] == bot["update_at"] > 0
    user = api.as_(admin).get(f"users/{bot['user_id']}").get_json()
    assert (user["is_bot"], user["bot_description"], user["first_name"]) == (True, "Builds", "CI")
    assert user["email"] == "ci-bot@localhost" and user["roles"] == "system_user"
    # Optional fields are left out when empty, as Mattermost's omitempty does.
    bare = _create(api, admin, username="bare-bot", display_name="", description="")
    assert "display_name" not in bare and "description" not in bare
    assert api.as_(admin).get(f"bots/{bot['user_id']}").get_json() == bot


def test_who_may_create_and_see_bots(api, hub, admin, make_account):
    person = make_account("person")
    assert_app_error(
        api.as_(person).post("bots", {"username": "mine"}), 403, "api.context.permissions.app_error"
    )
    assert_app_error(api.post("bots", {"username": "mine"}), 401)
    bot = _create(api, admin)
    # To anyone but an admin a bot is not there: the answer does not tell which accounts are bots.
    assert_app_error(api.as_(person).get(f"bots/{bot['user_id']}"), 404, NOT_FOUND)
    assert_app_error(api.as_(person).put(f"bots/{bot['user_id']}", {"display_name": "x"}), 404, NOT_FOUND)
    assert_app_error(api.as_(person).post(f"bots/{bot['user_id']}/disable"), 404, NOT_FOUND)
    assert_app_error(api.as_(person).get("bots"), 403)
    assert_app_error(api.as_(admin).get(f"bots/{person.id}"), 404, NOT_FOUND)
    # A bot cannot make bots, even with the admin role.
    _, token = hub.auth.create_token(None, bot["user_id"], "ci")
    hub.users.update_roles(hub_actor(admin), bot["user_id"], "system_user system_admin")
    refused = api.client.post(
        "/api/v4/bots", json={"username": "child"}, headers={"Authorization": f"Bearer {token}"}
    )
    assert_app_error(refused, 403)


def hub_actor(account):
    from hub.permissions import Actor

    return Actor(account.id, "system_admin system_user")


def test_creation_can_be_switched_off(api, hub, admin):
    hub.config["ServiceSettings"]["EnableBotAccountCreation"] = False
    assert_app_error(api.as_(admin).post("bots", {"username": "late"}), 403, "api.bot.create_disabled")
    assert api.as_(admin).get("users/username/late").status_code == 404


@pytest.mark.parametrize(
    "body, error_id",
    [
        ({"username": "Not Valid!"}, "model.bot.is_valid.username.app_error"),
        ({}, "model.bot.is_valid.username.app_error"),
        ({"username": "okbot", "display_name": "x" * 65}, "model.bot.is_valid.user_id.app_error"),
        ({"username": "okbot", "description": "x" * 1025}, "model.bot.is_valid.description.app_error"),
        ({"username": "okbot", "display_name": 7}, "model.bot.is_valid.user_id.app_error"),
        ({"username": "okbot", "description": "line\x07"}, "model.bot.is_valid.description.app_error"),
        ({"username": "admin"}, "app.user.save.username_exists.app_error"),
    ],
)
def test_bad_bots_are_refused_and_nothing_is_made(api, admin, body, error_id):
    assert_app_error(api.as_(admin).post("bots", body), 400, error_id)
    assert api.as_(admin).get("bots?include_deleted=true").get_json() == []
    assert api.as_(admin).get("users/username/okbot").status_code == 404


def test_patch_changes_username_display_name_and_description(api, admin, make_account):
    bot = _create(api, admin)
    patched = api.as_(admin).put(
        f"bots/{bot['user_id']}", {"username": "deploy-bot", "description": "Deploys"}
    )
    assert patched.status_code == 200, patched.get_data(as_text=True)
    body = patched.get_json()
    assert (body["username"], body["display_name"], body["description"]) == ("deploy-bot", "CI", "Deploys")
    assert body["update_at"] >= bot["update_at"]
    assert api.as_(admin).get("users/username/deploy-bot").get_json()["bot_description"] == "Deploys"
    make_account("taken")
    assert_app_error(
        api.as_(admin).put(f"bots/{bot['user_id']}", {"username": "taken"}),
        400,
        "app.user.save.username_exists.app_error",
    )
    assert_app_error(api.as_(admin).put(f"bots/{bot['user_id']}", ["nope"]), 400)


def test_a_disabled_bot_can_do_nothing_and_enabled_works_again(api, hub, admin, live_server):
    bot = _create(api, admin)
    _, token = hub.auth.create_token(None, bot["user_id"], "ci")
    as_bot = {"Authorization": f"Bearer {token}"}
    assert api.client.get("/api/v4/users/me", headers=as_bot).status_code == 200
    socket = WsClient(live_server.port, token)
    disabled = api.as_(admin).post(f"bots/{bot['user_id']}/disable")
    assert disabled.status_code == 200 and disabled.get_json()["delete_at"] > 0
    assert_app_error(api.client.get("/api/v4/users/me", headers=as_bot), 401)
    assert closed_within(socket.ws, 10)
    assert api.as_(admin).get("bots").get_json() == []
    assert_app_error(api.as_(admin).get(f"bots/{bot['user_id']}"), 404, NOT_FOUND)
    listed = api.as_(admin).get("bots?include_deleted=true").get_json()
    assert [b["user_id"] for b in listed] == [bot["user_id"]]
    assert api.as_(admin).get(f"bots/{bot['user_id']}?include_deleted=true").get_json()["delete_at"] > 0
    assert api.as_(admin).get(f"users/{bot['user_id']}").get_json()["delete_at"] > 0

    enabled = api.as_(admin).post(f"bots/{bot['user_id']}/enable")
    assert enabled.status_code == 200 and enabled.get_json()["delete_at"] == 0
    assert api.client.get("/api/v4/users/me", headers=as_bot).status_code == 200


def test_bot_tokens_work_with_personal_access_tokens_off(api, hub, admin, make_account):
    bot = _create(api, admin)
    person = make_account("person")
    hub.config["ServiceSettings"]["EnableUserAccessTokens"] = False
    made = api.as_(admin).post(f"users/{bot['user_id']}/tokens", {"description": "bridge"})
    assert made.status_code == 200, made.get_data(as_text=True)
    token = made.get_json()["token"]
    assert api.client.get("/api/v4/users/me", headers={"Authorization": f"Bearer {token}"}).get_json()[
        "is_bot"
    ]
    assert_app_error(
        api.as_(admin).post(f"users/{person.id}/tokens", {"description": "me"}),
        501,
        "api.user.create_user_access_token.disabled",
    )


def test_assign_and_orphans(api, hub, admin, make_account):
    heir = make_account("heir", admin=True)
    bot = _create(api, admin)
    other = _create(api, admin, username="other-bot")
    assigned = api.as_(admin).post(f"bots/{bot['user_id']}/assign/{heir.id}")
    assert assigned.status_code == 200 and assigned.get_json()["owner_id"] == heir.id
    assert_app_error(api.as_(admin).post(f"bots/{bot['user_id']}/assign/{other['user_id']}"), 403)
    assert_app_error(api.as_(admin).post(f"bots/{bot['user_id']}/assign/{'a' * 26}"), 404)
    assert api.as_(admin).get("bots?only_orphaned=true").get_json() == []

    # The heir leaves: their bot is disabled with them (DisableBotsWhenOwnerIsDeactivated) and orphaned.
    assert api.as_(admin).put(f"users/{heir.id}/active", {"active": False}).status_code == 200
    orphans = api.as_(admin).get("bots?only_orphaned=true&include_deleted=true").get_json()
    assert [b["user_id"] for b in orphans] == [bot["user_id"]] and orphans[0]["delete_at"] > 0
    assert [b["username"] for b in api.as_(admin).get("bots").get_json()] == ["other-bot"]


def test_owners_keep_their_bots_when_the_setting_is_off(api, hub, admin, make_account):
    hub.config["ServiceSettings"]["DisableBotsWhenOwnerIsDeactivated"] = False
    owner = make_account("owner", admin=True)
    bot = api.as_(owner).post("bots", {"username": "kept-bot"}).get_json()
    api.as_(admin).put(f"users/{owner.id}/active", {"active": False})
    assert api.as_(admin).get(f"bots/{bot['user_id']}").get_json()["delete_at"] == 0


def test_bots_are_listed_by_username_and_paged(api, admin):
    for name in ("zeta-bot", "alpha-bot", "mid-bot"):
        _create(api, admin, username=name)
    names = [b["username"] for b in api.as_(admin).get("bots").get_json()]
    assert names == ["alpha-bot", "mid-bot", "zeta-bot"]
    assert [b["username"] for b in api.as_(admin).get("bots?page=1&per_page=2").get_json()] == ["zeta-bot"]


def test_convert_a_bot_to_a_user(api, admin):
    bot = _create(api, admin)
    assert_app_error(api.as_(admin).post(f"bots/{bot['user_id']}/convert_to_user", {}), 400)
    converted = api.as_(admin).post(
        f"bots/{bot['user_id']}/convert_to_user?set_system_admin=true",
        {"password": "Passw0rd!long", "email": "ci@example.com"},
    )
    assert converted.status_code == 200, converted.get_data(as_text=True)
    user = converted.get_json()
    assert (user["is_bot"], user["email"], user["roles"]) == (
        False,
        "ci@example.com",
        "system_admin system_user",
    )
    assert_app_error(api.as_(admin).get(f"bots/{bot['user_id']}?include_deleted=true"), 404, NOT_FOUND)
    login = api.post("users/login", {"login_id": "ci-bot", "password": "Passw0rd!long"})
    assert login.status_code == 200, login.get_data(as_text=True)


SVG = b'<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16"><circle cx="8" cy="8" r="7"/></svg>'


def _upload_icon(api, account, bot_id, content: bytes, filename: str = "icon.svg"):
    return api.as_(account).post(
        f"bots/{bot_id}/icon",
        data={"image": (io.BytesIO(content), filename, "image/svg+xml")},
        content_type="multipart/form-data",
    )


def test_a_bot_icon_is_an_svg_shown_to_everyone_and_served_inert(api, admin, make_account):
    bot = _create(api, admin)
    person = make_account("person")
    assert_app_error(
        api.as_(person).get(f"bots/{bot['user_id']}/icon"), 404, "api.bot.get_bot_icon_image.read.app_error"
    )
    answer = _upload_icon(api, admin, bot["user_id"], SVG)
    assert (answer.status_code, answer.get_json()) == (200, {"status": "OK"})
    assert api.as_(admin).get(f"bots/{bot['user_id']}").get_json()["last_icon_update"] > 0
    icon = api.as_(person).get(f"bots/{bot['user_id']}/icon")
    assert icon.status_code == 200 and icon.data == SVG
    assert icon.mimetype == "image/svg+xml"
    assert (
        "sandbox" in icon.headers["Content-Security-Policy"]
        and icon.headers["X-Content-Type-Options"] == "nosniff"
    )
    again = api.as_(person).get(
        f"bots/{bot['user_id']}/icon", headers={"If-None-Match": icon.headers["ETag"]}
    )
    assert again.status_code == 304
    assert_app_error(api.get(f"bots/{bot['user_id']}/icon"), 401)

    assert api.as_(admin).delete(f"bots/{bot['user_id']}/icon").status_code == 200
    assert "last_icon_update" not in api.as_(admin).get(f"bots/{bot['user_id']}").get_json()
    assert_app_error(api.as_(person).get(f"bots/{bot['user_id']}/icon"), 404)


@pytest.mark.parametrize(
    "content, status, error_id",
    [
        (b"\x89PNG\r\n\x1a\n not an svg", 400, "api.bot.set_bot_icon_image.app_error"),
        (b"<html><body>hi</body></html>", 400, "api.bot.set_bot_icon_image.app_error"),
        (
            b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaa">]><svg>&a;</svg>',
            400,
            "api.bot.set_bot_icon_image.app_error",
        ),
        (b"<svg>" + b" " * (1024 * 1024) + b"</svg>", 413, "api.bot.set_bot_icon_image.too_large.app_error"),
    ],
    ids=["png", "html", "entities", "too large"],
)
def test_bad_icons_are_refused(api, admin, content, status, error_id):
    bot = _create(api, admin)
    assert_app_error(_upload_icon(api, admin, bot["user_id"], content), status, error_id)
    assert "last_icon_update" not in api.as_(admin).get(f"bots/{bot['user_id']}").get_json()


def test_icon_uploads_need_a_manager_and_a_file(api, admin, make_account):
    bot = _create(api, admin)
    assert_app_error(_upload_icon(api, make_account("person"), bot["user_id"], SVG), 404, NOT_FOUND)
    assert_app_error(
        api.as_(admin).post(f"bots/{bot['user_id']}/icon", json={"image": "x"}),
        400,
        "api.bot.set_bot_icon_image.parse.app_error",
    )
    assert_app_error(
        api.as_(admin).post(
            f"bots/{bot['user_id']}/icon",
            data={"other": (io.BytesIO(SVG), "a.svg")},
            content_type="multipart/form-data",
        ),
        400,
        "api.bot.set_bot_icon_image.no_file.app_error",
    )
