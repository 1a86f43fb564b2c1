"""Accounts, logins and tokens over the REST API."""

from tests.fixtures import PASSWORD, assert_app_error


def test_first_user_becomes_system_admin_and_logs_in(api):
    created = api.post("users", {"username": "first", "email": "First@Example.com", "password": PASSWORD})
    assert created.status_code == 201
    assert created.get_json()["roles"] == "system_admin system_user"
    assert created.get_json()["email"] == "first@example.com"
    assert "password" not in created.get_json()

    login = api.post("users/login", {"login_id": "first", "password": PASSWORD, "token": None})
    assert login.status_code == 200
    token = login.headers["Token"]
    assert len(token) == 26
    assert login.get_json()["username"] == "first"
    assert login.headers["Content-Type"] == "application/json"

    me = api.get("users/me", headers={"Authorization": f"BEARER {token}"})
    assert me.status_code == 200
    assert me.get_json()["id"] == created.get_json()["id"]


def test_second_self_signup_is_refused_on_a_closed_server(api, admin):
    response = api.post("users", {"username": "second", "email": "s@example.com", "password": PASSWORD})
    assert_app_error(response, 403, "api.user.create_user.no_open_server")
    made = api.as_(admin).post(
        "users", {"username": "second", "email": "s@example.com", "password": PASSWORD}
    )
    assert made.status_code == 201
    assert made.get_json()["roles"] == "system_user"


def test_wrong_password_and_unknown_user_are_401(api, make_account):
    account = make_account("alice")
    assert_app_error(api.post("users/login", {"login_id": "alice", "password": "nope-nope"}), 401)
    assert_app_error(api.post("users/login", {"login_id": "nobody", "password": PASSWORD}), 401)
    assert api.post("users/login", {"login_id": account.email, "password": PASSWORD}).status_code == 200


def test_bad_bodies_answer_400_not_500(api, admin):
    as_admin = api.as_(admin)
    assert_app_error(
        as_admin.request("POST", "users", data="{not json", headers={"Content-Type": "application/json"}), 400
    )
    assert_app_error(as_admin.post("users", [1, 2]), 400)
    assert_app_error(
        as_admin.post("users", {"username": 5, "email": "x@example.com", "password": PASSWORD}), 400
    )
    assert_app_error(
        as_admin.post("users", {"username": "ok-name", "email": "bad", "password": PASSWORD}), 400
    )
    assert_app_error(
        as_admin.post("users", {"username": "ok-name", "email": "a@example.com", "password": "x"}), 400
    )
    assert_app_error(as_admin.get("users/notanid"), 400)
    assert_app_error(as_admin.get("users/" + "a" * 26), 404)
    assert_app_error(api.get("users/me"), 401)
    assert_app_error(api.get("nothing/here"), 404)


def test_deactivation_stops_sessions_and_tokens_at_once(api, admin, make_account):
    bob = make_account("bob")
    token = api.as_(admin).post(f"users/{bob.id}/tokens", {"description": "ci"}).get_json()["token"]
    assert api.get("users/me", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    assert api.as_(bob).get("users/me").status_code == 200
    assert api.as_(admin).delete(f"users/{bob.id}").status_code == 200
    assert_app_error(api.as_(bob).get("users/me"), 401)
    assert_app_error(api.get("users/me", headers={"Authorization": f"Bearer {token}"}), 401)
    assert_app_error(api.post("users/login", {"login_id": "bob", "password": PASSWORD}), 401)
