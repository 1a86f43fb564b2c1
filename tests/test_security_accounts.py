"""Security review, issue 9: accounts. Password changes end the other sessions, names refuse control
characters and trailing newlines, logins do not tell which accounts exist and their lockout expires, an
own email change needs the password, string maps hold strings only, and logout never refuses."""

from __future__ import annotations

import pytest

import hub.services.auth
from hub import models
from hub.config import Config
from hub.errors import AppError
from hub.ids import now_ms
from hub.permissions import Actor
from hubbub import create_app
from tests.fixtures import PASSWORD, Account, ApiClient, assert_app_error
from tests.test_ws_membership import PROMPT, _still_open
from tests.wsclient import closed_within

NEW_PASSWORD = "An0ther-passw0rd"
LOCKED = "api.user.check_user_login_attempts.too_many.app_error"
INVALID_LOGIN = "api.user.login.invalid_credentials_email_username"


def _second_session(hub, account: Account) -> Account:
    _, token = hub.auth.create_session_for(account.id)
    return Account(account.id, account.username, account.email, account.password, token)


def _login(api, login_id: str, password: str = PASSWORD):
    return api.post("users/login", {"login_id": login_id, "password": password})


def _without_request_id(response) -> tuple[int, dict]:
    body = response.get_json()
    body.pop("request_id")
    return response.status_code, body


def _strict_api(hub_factory, **service_settings) -> tuple[ApiClient, object]:
    strict = hub_factory(ServiceSettings=service_settings)
    return ApiClient(create_app(hub=strict).test_client()), strict


def _move_clock(monkeypatch, minutes: float) -> None:
    moved_to = now_ms() + int(minutes * 60 * 1000)
    monkeypatch.setattr(hub.services.auth, "now_ms", lambda: moved_to)


# ---- 3: a password change ends the account's other sessions ---------------------------------------
def test_own_password_change_ends_the_other_sessions_and_their_sockets(api, hub, make_account, ws_connect):
    ivy = make_account("ivy")
    other_device = _second_session(hub, ivy)
    kept_socket, doomed_socket = ws_connect(ivy), ws_connect(other_device)
    change = {"current_password": PASSWORD, "new_password": NEW_PASSWORD}
    assert api.as_(ivy).put("users/me/password", change).status_code == 200
    assert closed_within(doomed_socket.ws, PROMPT)
    assert_app_error(api.as_(other_device).get("users/me"), 401)
    assert api.as_(ivy).get("users/me").status_code == 200
    assert _still_open(kept_socket)


def test_admin_password_reset_ends_every_session_of_the_account(api, hub, admin, make_account, ws_connect):
    jay = make_account("jay")
    other_device = _second_session(hub, jay)
    sockets = [ws_connect(jay), ws_connect(other_device)]
    admin_socket = ws_connect(admin)
    assert api.as_(admin).put(f"users/{jay.id}/password", {"new_password": NEW_PASSWORD}).status_code == 200
    assert all(closed_within(socket.ws, PROMPT) for socket in sockets)
    for session in (jay, other_device):
        assert_app_error(api.as_(session).get("users/me"), 401)
    assert _still_open(admin_socket) and api.as_(admin).get("users/me").status_code == 200
    assert _login(api, "jay", NEW_PASSWORD).status_code == 200


def test_a_refused_password_change_ends_nothing(api, hub, make_account):
    kim = make_account("kim")
    other_device = _second_session(hub, kim)
    change = {"current_password": "not-it", "new_password": NEW_PASSWORD}
    wrong = api.as_(kim).put("users/me/password", change)
    assert_app_error(wrong, 400, "api.user.update_password.incorrect.app_error")
    assert api.as_(other_device).get("users/me").status_code == 200


# ---- 4: names refuse trailing newlines and control characters ----------------------------------------
def test_names_with_a_trailing_newline_are_refused(api, admin, room):
    as_admin = api.as_(admin)
    bad_username = "model.user.is_valid.username.app_error"
    new_user = {"username": "admin1\n", "email": "admin1@example.com", "password": PASSWORD}
    assert_app_error(as_admin.post("users", new_user), 400, bad_username)
    assert_app_error(as_admin.put("users/me/patch", {"username": "admin\n"}), 400, bad_username)
    new_team = {"name": "crew\n", "display_name": "Crew again"}
    assert_app_error(as_admin.post("teams", new_team), 400, "model.team.is_valid.url.app_error")
    new_channel = {"team_id": room.team_id, "name": "town-square\n", "display_name": "Town", "type": "O"}
    bad_channel_name = "model.channel.is_valid.name.app_error"
    assert_app_error(api.as_(room.owner).post("channels", new_channel), 400, bad_channel_name)
    renamed = api.as_(room.owner).put(f"channels/{room.channel_id}/patch", {"name": "room\n"})
    assert_app_error(renamed, 400, bad_channel_name)


def test_every_whole_string_pattern_refuses_a_trailing_newline(api, room):
    """`$` also matches before a final newline: each pattern must hold for the whole value."""
    from hub.config import Config
    from webhooks.actions.dialogs import check_dialog, submission_errors

    as_owner = api.as_(room.owner)
    post = as_owner.post(
        "posts",
        {
            "channel_id": room.channel_id,
            "message": "Ship it?",
            "props": {
                "attachments": [
                    {
                        "actions": [
                            {
                                "id": "ship\n",
                                "name": "Ship",
                                "integration": {"url": "https://ci.example/ship"},
                            }
                        ]
                    }
                ]
            },
        },
    )
    assert post.status_code == 201
    assert post.get_json()["props"]["attachments"][0]["actions"][0]["id"] != "ship\n"
    reaction = {"user_id": room.owner.id, "post_id": post.get_json()["id"], "emoji_name": "smile\n"}
    assert_app_error(as_owner.post("reactions", reaction), 400)
    dialog = check_dialog(
        {
            "callback_id": "c",
            "title": "Contact",
            "elements": [
                {"display_name": "Mail", "name": "mail", "type": "text", "subtype": "email"},
                {"display_name": "Count", "name": "count", "type": "text", "subtype": "number"},
            ],
        }
    )
    assert set(submission_errors(dialog, {"mail": "a@b.example\n", "count": "3\n"})) == {"mail", "count"}
    assert submission_errors(dialog, {"mail": "a@b.example", "count": "3"}) == {}
    with pytest.raises(Exception, match="ListenAddress"):
        Config({"ServiceSettings": {"ListenAddress": ":8065\n"}})


SINGLE_LINE_REFUSED = ["\x01", "\x1b", "\n", "\x7f", "\x85", "\u2028", "\u2029", "\u202e", "\u2066"]


@pytest.mark.parametrize("character", SINGLE_LINE_REFUSED)
def test_names_and_display_names_refuse_control_characters(api, admin, room, character):
    as_owner = api.as_(room.owner)
    for field in ("nickname", "first_name", "last_name", "position"):
        assert_app_error(as_owner.put("users/me/patch", {field: f"Ann{character}"}), 400)
    new_user = {"username": "newbie", "email": "new@example.com", "password": PASSWORD, "nickname": character}
    assert_app_error(api.as_(admin).post("users", new_user), 400)
    assert_app_error(as_owner.put(f"teams/{room.team_id}/patch", {"display_name": f"Crew{character}"}), 400)
    new_team = {"name": "other-crew", "display_name": f"Other{character}"}
    assert_app_error(api.as_(admin).post("teams", new_team), 400)
    renamed = as_owner.put(f"channels/{room.channel_id}/patch", {"display_name": f"Room{character}"})
    assert_app_error(renamed, 400)
    new_channel = {"team_id": room.team_id, "name": "other-room", "display_name": f"Other{character}"}
    assert_app_error(as_owner.post("channels", new_channel), 400)
    assert api.as_(room.owner).get("users/me").get_json()["nickname"] == ""


@pytest.mark.parametrize("character", ["\x01", "\x1b", "\r", "\x7f", "\u2028", "\u202e"])
def test_multi_line_texts_refuse_control_characters_but_newlines_and_tabs(api, room, character):
    as_owner = api.as_(room.owner)
    for field in ("header", "purpose"):
        assert_app_error(as_owner.put(f"channels/{room.channel_id}/patch", {field: f"a{character}b"}), 400)
    assert_app_error(as_owner.put(f"teams/{room.team_id}/patch", {"description": f"a{character}b"}), 400)
    multi_line = "Deploys:\n\t- staging\n\t- production"
    patched = as_owner.put(f"channels/{room.channel_id}/patch", {"header": multi_line, "purpose": multi_line})
    assert patched.status_code == 200
    assert patched.get_json()["header"] == multi_line and patched.get_json()["purpose"] == multi_line
    assert as_owner.put(f"teams/{room.team_id}/patch", {"description": multi_line}).status_code == 200


def test_names_keep_joiners_that_scripts_and_emoji_need(api, make_account):
    # Zero-width joiners make emoji sequences and zero-width non-joiners are written in Persian words.
    lee = make_account("lee")
    nickname = "\U0001f468\u200d\U0001f469\u200d\U0001f467 \u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645"
    patched = api.as_(lee).put("users/me/patch", {"nickname": nickname})
    assert patched.status_code == 200 and patched.get_json()["nickname"] == nickname


# ---- 9: logins do not tell which accounts exist, and their lockout expires -------------------------------
def test_unknown_login_ids_are_verified_and_answered_like_wrong_passwords(api, make_account, monkeypatch):
    make_account("mia")
    verified = []
    real_verify = hub.services.auth.verify_password

    def counting_verify(password_hash: str, password: str) -> bool:
        verified.append(password_hash)
        return real_verify(password_hash, password)

    monkeypatch.setattr(hub.services.auth, "verify_password", counting_verify)
    wrong_password = _login(api, "mia", "not-her-password")
    unknown_account = _login(api, "nobody-at-all", "not-her-password")
    assert len(verified) == 2 and all(h.startswith("$argon2") for h in verified)
    assert _without_request_id(wrong_password) == _without_request_id(unknown_account)
    assert_app_error(unknown_account, 401, INVALID_LOGIN)


def test_unknown_login_ids_lock_out_like_accounts(hub_factory, make_account):
    api, _ = _strict_api(hub_factory, MaximumLoginAttempts=2)
    make_account("ned")
    for login_id in ("ned", "no-such-user"):
        for _ in range(2):
            assert_app_error(_login(api, login_id, "wrong-password"), 401, INVALID_LOGIN)
    assert _without_request_id(_login(api, "ned")) == _without_request_id(_login(api, "no-such-user"))
    assert_app_error(_login(api, "ned"), 401, LOCKED)


def test_lockout_expires_and_a_correct_password_then_resets_the_count(hub_factory, make_account, monkeypatch):
    api, strict = _strict_api(hub_factory, MaximumLoginAttempts=2, LoginLockoutMinutes=15)
    olive = make_account("olive")
    for _ in range(2):
        assert_app_error(_login(api, "olive", "wrong-password"), 401, INVALID_LOGIN)
    _move_clock(monkeypatch, 14)
    assert_app_error(_login(api, "olive"), 401, LOCKED)
    _move_clock(monkeypatch, 15.1)
    assert _login(api, "olive").status_code == 200
    assert strict.users.get(olive.id).failed_attempts == 0


def test_failures_older_than_the_lockout_are_forgotten(hub_factory, make_account, monkeypatch):
    api, _ = _strict_api(hub_factory, MaximumLoginAttempts=2, LoginLockoutMinutes=15)
    make_account("pia")
    for login_id in ("pia", "ghost"):
        assert_app_error(_login(api, login_id, "wrong-password"), 401, INVALID_LOGIN)
    _move_clock(monkeypatch, 16)
    # Had the first failure been kept, the second one here would have locked the account.
    for login_id in ("pia", "ghost"):
        for _ in range(2):
            assert_app_error(_login(api, login_id, "wrong-password"), 401, INVALID_LOGIN)
        assert_app_error(_login(api, login_id, "wrong-password"), 401, LOCKED)


def test_stale_failures_of_unknown_login_ids_are_removed(hub, api, monkeypatch):
    assert_app_error(_login(api, "ghost-one", "wrong-password"), 401, INVALID_LOGIN)
    _move_clock(monkeypatch, 16)
    assert_app_error(_login(api, "ghost-two", "wrong-password"), 401, INVALID_LOGIN)
    with hub.store.read() as s:
        remaining = [row.login_id for row in s.query(models.UnknownLoginFailure)]
    assert remaining == ["ghost-two"]


def test_wrong_current_passwords_count_towards_the_lockout(hub_factory, make_account):
    api, _ = _strict_api(hub_factory, MaximumLoginAttempts=2)
    quinn = make_account("quinn")
    change = {"current_password": "wrong-password", "new_password": NEW_PASSWORD}
    for _ in range(2):
        assert_app_error(api.as_(quinn).put("users/me/password", change), 400)
    locked = api.as_(quinn).put("users/me/password", {**change, "current_password": PASSWORD})
    assert_app_error(locked, 401, LOCKED)


def test_lockout_length_must_be_at_least_a_minute():
    with pytest.raises(AppError) as refused:
        Config({"ServiceSettings": {"LoginLockoutMinutes": 0}})
    assert "ServiceSettings.LoginLockoutMinutes" in refused.value.message


# ---- 11: changing one's own email needs the password -----------------------------------------------
def test_own_email_change_needs_the_password(api, make_account):
    rae = make_account("rae")
    as_rae = api.as_(rae)
    missing = as_rae.put("users/me/patch", {"email": "rae@new.example.com"})
    assert_app_error(missing, 400, "api.context.invalid_param.app_error")
    wrong = as_rae.put("users/me/patch", {"email": "rae@new.example.com", "password": "not-it"})
    assert_app_error(wrong, 401, "api.user.check_user_password.invalid.app_error")
    assert as_rae.get("users/me").get_json()["email"] == rae.email
    same_email = as_rae.put("users/me/patch", {"email": rae.email.upper(), "nickname": "R"})
    assert same_email.status_code == 200
    changed = as_rae.put("users/me/patch", {"email": "rae@new.example.com", "password": PASSWORD})
    assert changed.status_code == 200 and changed.get_json()["email"] == "rae@new.example.com"


def test_own_email_change_by_put_needs_the_password(api, make_account):
    sam = make_account("sam")
    body = api.as_(sam).get("users/me").get_json()
    body["email"] = "sam@new.example.com"
    for password in (None, "not-it"):
        refused = api.as_(sam).put(f"users/{sam.id}", {**body, "password": password})
        assert_app_error(refused, 400, "api.context.invalid_param.app_error")
    changed = api.as_(sam).put(f"users/{sam.id}", {**body, "password": PASSWORD})
    assert changed.status_code == 200 and changed.get_json()["email"] == "sam@new.example.com"


def test_admin_changes_another_users_email_without_a_password(api, admin, make_account):
    tia = make_account("tia")
    changed = api.as_(admin).put(f"users/{tia.id}/patch", {"email": "tia@new.example.com"})
    assert changed.status_code == 200 and changed.get_json()["email"] == "tia@new.example.com"


# ---- 17: props, notify_props and timezone are maps of strings ----------------------------------------
@pytest.mark.parametrize(
    "field, value",
    [
        ("notify_props", {"desktop": 1}),
        ("notify_props", {"desktop_sound": True}),
        ("props", {"tags": ["a", "b"]}),
        ("props", {"nested": {"a": "b"}}),
        ("timezone", {"useAutomaticTimezone": True}),
        ("timezone", {"manualTimezone": None}),
        ("timezone", "Europe/Paris"),
    ],
)
def test_string_maps_refuse_other_values(api, admin, make_account, field, value):
    uma = make_account("uma")
    before = api.as_(uma).get("users/me").get_json()
    refused = api.as_(uma).put("users/me/patch", {field: value})
    assert_app_error(refused, 400, "api.context.invalid_param.app_error")
    assert_app_error(api.as_(uma).put(f"users/{uma.id}", {**before, field: value}), 400)
    new_user = {"username": "vic", "email": "vic@example.com", "password": PASSWORD, field: value}
    assert_app_error(api.as_(admin).post("users", new_user), 400)
    assert api.as_(uma).get("users/me").get_json()[field] == before[field]
    strings = {"desktop": "all"} if field == "notify_props" else {"useAutomaticTimezone": "true"}
    assert api.as_(uma).put("users/me/patch", {field: strings}).status_code == 200


def test_channel_member_notify_props_refuse_other_values(hub, room):
    with pytest.raises(AppError) as refused:
        hub.channels.update_member_notify_props(
            Actor(room.member.id, "system_user"), room.channel_id, room.member.id, {"desktop": 1}
        )
    assert (refused.value.status_code, refused.value.id) == (400, "api.context.invalid_param.app_error")


# ---- 18a: logout never refuses ----------------------------------------------------------------------
def _cleared_cookies(response) -> set[str]:
    return {
        cookie.split("=", 1)[0]
        for cookie in response.headers.getlist("Set-Cookie")
        if "Max-Age=0" in cookie or "expires=Thu, 01 Jan 1970" in cookie
    }


def test_logout_with_an_unknown_or_revoked_token_answers_ok(api, hub, make_account):
    wes = make_account("wes")
    other_device = _second_session(hub, wes)
    assert api.as_(wes).post("users/logout").get_json() == {"status": "OK"}
    for token in (wes.token, "x" * 26):
        again = ApiClient(api.client, token).post("users/logout")
        assert again.status_code == 200 and again.get_json() == {"status": "OK"}
        assert {"MMAUTHTOKEN", "MMUSERID", "MMCSRF"} <= _cleared_cookies(again)
    assert api.as_(other_device).get("users/me").status_code == 200


def test_logout_by_cookie_without_csrf_ends_nothing(api, make_account):
    make_account("xia")
    token = _login(api, "xia").headers["Token"]
    logout = api.post("users/logout")
    assert logout.status_code == 200 and "MMAUTHTOKEN" in _cleared_cookies(logout)
    assert ApiClient(api.client, token).get("users/me").status_code == 200
