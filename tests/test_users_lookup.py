"""Finding users: by id, username, email, lists with paging, search and autocomplete."""

from tests.fixtures import assert_app_error


def test_lookups_by_username_email_and_ids(api, admin, make_account):
    alice = make_account("alice", first_name="Alice", last_name="Liddell")
    me = api.as_(alice)
    assert me.get("users/username/ALICE").get_json()["id"] == alice.id
    assert me.get("users/email/alice@example.com").get_json()["id"] == alice.id
    assert_app_error(me.get("users/username/nobody"), 404)
    found = me.post("users/ids", [alice.id, admin.id, "x" * 26]).get_json()
    assert sorted(u["id"] for u in found) == sorted([alice.id, admin.id])
    assert [u["username"] for u in me.post("users/usernames", ["alice"]).get_json()] == ["alice"]
    assert_app_error(me.post("users/ids", {"not": "a list"}), 400)


def test_other_users_are_sanitised(hub_factory, make_account):
    from hubbub import create_app
    from tests.fixtures import ApiClient

    private = hub_factory(PrivacySettings={"ShowEmailAddress": False, "ShowFullName": False})
    api = ApiClient(create_app(hub=private).test_client())
    make_account("root", admin=True)
    alice = make_account("alice", first_name="Alice")
    bob = make_account("bob")
    seen = api.as_(bob).get(f"users/{alice.id}").get_json()
    assert seen["email"] == "" and seen["first_name"] == "" and "notify_props" not in seen
    own = api.as_(alice).get("users/me").get_json()
    assert own["email"] == "alice@example.com" and own["first_name"] == "Alice"
    assert "password" not in own and "mfa_secret" not in own


def test_list_with_paging_and_filters(api, admin, make_account):
    for n in range(5):
        make_account(f"member{n}")
    me = api.as_(admin)
    first = me.get("users?page=0&per_page=3").get_json()
    second = me.get("users?page=1&per_page=3").get_json()
    assert len(first) == 3 and len(second) == 3
    assert not {u["id"] for u in first} & {u["id"] for u in second}
    assert_app_error(me.get("users?page=abc"), 400)
    me.delete(f"users/{first[1]['id']}")
    inactive = me.get("users?inactive=true").get_json()
    assert [u["id"] for u in inactive] == [first[1]["id"]]


def test_search_and_autocomplete(api, admin, make_account):
    make_account("deploybot", nickname="Deployer")
    make_account("devon")
    make_account("zed")
    me = api.as_(admin)
    names = [u["username"] for u in me.post("users/search", {"term": "de"}).get_json()]
    assert names == ["deploybot", "devon"]
    assert [u["username"] for u in me.post("users/search", {"term": "deployer"}).get_json()] == ["deploybot"]
    assert me.post("users/search", {"term": "%"}).get_json() == []
    assert_app_error(me.post("users/search", {"term": 3}), 400)
    completed = me.get("users/autocomplete?name=ze").get_json()
    assert [u["username"] for u in completed["users"]] == ["zed"]


def test_patch_update_and_uniqueness(api, admin, make_account):
    alice = make_account("alice")
    make_account("bob")
    me = api.as_(alice)
    patched = me.put("users/me/patch", {"nickname": "Al", "position": "SRE", "notify_props": {"push": "all"}})
    assert patched.status_code == 200
    assert patched.get_json()["nickname"] == "Al" and patched.get_json()["notify_props"]["push"] == "all"
    assert_app_error(
        me.put("users/me/patch", {"username": "bob"}), 400, "app.user.save.username_exists.app_error"
    )
    assert_app_error(me.put("users/me/patch", {"username": "Not Valid"}), 400)
    assert_app_error(me.put(f"users/{alice.id}", {"id": admin.id, "nickname": "x"}), 400)
    assert (
        me.put(f"users/{alice.id}", {"id": alice.id, "nickname": "Alice"}).get_json()["nickname"] == "Alice"
    )
    assert_app_error(me.put("users/me/patch", {"props": "not an object"}), 400)
