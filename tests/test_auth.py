"""Sessions, cookies and CSRF, personal access tokens, rate limits, password changes."""

from hubbub import create_app
from tests.fixtures import PASSWORD, ApiClient, assert_app_error


def _login(api, login_id, password=PASSWORD):
    return api.post("users/login", {"login_id": login_id, "password": password})


def test_cookie_session_needs_csrf_header_for_writes(api, make_account):
    make_account("carol")
    login = _login(api, "carol")
    csrf = next(c for c in login.headers.getlist("Set-Cookie") if c.startswith("MMCSRF=")).split(";")[0][7:]
    assert "HttpOnly" in next(c for c in login.headers.getlist("Set-Cookie") if c.startswith("MMAUTHTOKEN="))
    # The test client keeps the cookies; no Authorization header is sent.
    assert api.get("users/me").status_code == 200
    assert_app_error(api.put("users/me/patch", {"nickname": "c"}), 401)
    assert api.put("users/me/patch", {"nickname": "c"}, headers={"X-CSRF-Token": csrf}).status_code == 200
    assert (
        api.put(
            "users/me/patch", {"nickname": "d"}, headers={"X-Requested-With": "XMLHttpRequest"}
        ).status_code
        == 200
    )
    assert api.put("users/me/patch", {"nickname": "e"}, headers={"X-CSRF-Token": "wrong"}).status_code == 401
    assert api.post("users/logout", headers={"X-CSRF-Token": csrf}).get_json() == {"status": "OK"}
    assert_app_error(api.get("users/me"), 401)


def test_logout_revokes_the_session_token(api, make_account):
    make_account("dave")
    token = _login(api, "dave").headers["Token"]
    client = ApiClient(api.client, token)
    client.client.delete_cookie("MMAUTHTOKEN")
    assert client.post("users/logout").status_code == 200
    assert_app_error(client.get("users/me"), 401)


def test_login_rate_limit_answers_429_with_retry_after(hub_factory, make_account):
    limited = hub_factory(RateLimitSettings={"LoginPerMinute": 3})
    api = ApiClient(create_app(hub=limited).test_client())
    make_account("erin")
    statuses = [_login(api, "erin", "wrong-password").status_code for _ in range(4)]
    assert statuses == [401, 401, 401, 429]
    limited_response = _login(api, "erin")
    assert_app_error(limited_response, 429, "api.context.rate_limited.app_error")
    assert int(limited_response.headers["Retry-After"]) >= 1


def test_account_locks_after_maximum_login_attempts(hub_factory, make_account):
    strict = hub_factory(ServiceSettings={"MaximumLoginAttempts": 2})
    api = ApiClient(create_app(hub=strict).test_client())
    make_account("fred")
    for _ in range(2):
        assert_app_error(_login(api, "fred", "wrong-password"), 401)
    assert_app_error(_login(api, "fred"), 401, "api.user.check_user_login_attempts.too_many.app_error")


def test_general_rate_limit(hub_factory, make_account):
    limited = hub_factory(RateLimitSettings={"Enable": True, "PerSec": 1, "MaxBurst": 2})
    api = ApiClient(create_app(hub=limited).test_client())
    codes = [api.get("system/ping").status_code for _ in range(3)]
    assert codes == [200, 200, 429]


def test_sessions_list_and_revoke(api, make_account):
    gina = make_account("gina")
    other = _login(api, "gina").headers["Token"]
    sessions = api.as_(gina).get("users/me/sessions").get_json()
    assert len(sessions) == 2 and all(s["token"] == "" for s in sessions)
    other_id = next(s["id"] for s in sessions if s["id"] != "")
    revoked = [s["id"] for s in sessions]
    target = [
        sid
        for sid in revoked
        if api.as_(gina).post(f"users/{gina.id}/sessions/revoke", {"session_id": sid}).status_code == 200
    ]
    assert other_id in target
    assert_app_error(ApiClient(api.client, other).get("users/me"), 401)


def test_personal_access_tokens(api, admin, make_account):
    hank = make_account("hank")
    assert_app_error(api.as_(hank).post(f"users/{hank.id}/tokens", {"description": "mine"}), 403)
    assert (
        api.as_(admin)
        .put(f"users/{hank.id}/roles", {"roles": "system_user system_user_access_token"})
        .status_code
        == 200
    )
    created = api.as_(hank).post("users/me/tokens", {"description": "deploy bot"})
    assert created.status_code == 200
    body = created.get_json()
    assert set(body) == {"id", "token", "user_id", "description", "is_active"}
    token_client = ApiClient(api.client, body["token"])
    assert token_client.get("users/me").get_json()["username"] == "hank"
    listed = api.as_(hank).get(f"users/{hank.id}/tokens").get_json()
    assert [t["id"] for t in listed] == [body["id"]] and "token" not in listed[0]
    assert api.as_(hank).post("users/tokens/disable", {"token_id": body["id"]}).status_code == 200
    assert_app_error(token_client.get("users/me"), 401)
    assert api.as_(hank).post("users/tokens/enable", {"token_id": body["id"]}).status_code == 200
    assert token_client.get("users/me").status_code == 200
    assert api.as_(admin).post("users/tokens/revoke", {"token_id": body["id"]}).status_code == 200
    assert_app_error(token_client.get("users/me"), 401)
    assert_app_error(api.as_(admin).get(f"users/tokens/{body['id']}"), 404)


def test_tokens_are_stored_hashed(hub, api, admin):
    from hub import models

    token = api.as_(admin).post("users/me/tokens", {"description": "x"}).get_json()["token"]
    with hub.store.read() as s:
        stored = [row.token_hash for row in s.query(models.UserAccessToken)] + [
            row.token_hash for row in s.query(models.Session)
        ]
    assert token not in stored and admin.token not in stored
    assert all(len(h) == 64 for h in stored)


def test_password_change(api, make_account):
    ivy = make_account("ivy")
    assert_app_error(
        api.as_(ivy).put("users/me/password", {"current_password": "wrong", "new_password": "NewPassw0rd!"}),
        400,
    )
    assert (
        api.as_(ivy)
        .put("users/me/password", {"current_password": PASSWORD, "new_password": "NewPassw0rd!"})
        .status_code
        == 200
    )
    assert_app_error(_login(api, "ivy"), 401)
    assert _login(api, "ivy", "NewPassw0rd!").status_code == 200


def test_members_cannot_change_others(api, admin, make_account):
    jack, kate = make_account("jack"), make_account("kate")
    assert_app_error(api.as_(jack).put(f"users/{kate.id}/patch", {"nickname": "x"}), 403)
    assert_app_error(api.as_(jack).put(f"users/{kate.id}/roles", {"roles": "system_user system_admin"}), 403)
    assert_app_error(api.as_(jack).delete(f"users/{kate.id}"), 403)
    assert_app_error(api.as_(jack).get(f"users/{kate.id}/sessions"), 403)


def test_bodies_over_the_cap_are_413(hub_factory, admin):
    small = hub_factory(ServiceSettings={"MaximumPayloadSizeBytes": 100})
    api = ApiClient(create_app(hub=small).test_client(), admin.token)
    assert_app_error(api.put("users/me/patch", {"nickname": "x" * 200}), 413)


def test_get_and_delete_bodies_are_ignored(api, admin):
    assert api.as_(admin).get("users/me", json={}).status_code == 200
    assert api.as_(admin).request("GET", "users/me", data="{not json").status_code == 200
