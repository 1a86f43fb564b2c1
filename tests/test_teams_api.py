"""Teams and team membership over the REST API, checked against Mattermost's api4/team.go."""

from sqlalchemy import select

from hub import models
from hubbub import create_app
from tests.fixtures import ApiClient, assert_app_error

TEAM_FIELDS = {
    "id",
    "create_at",
    "update_at",
    "delete_at",
    "display_name",
    "name",
    "description",
    "email",
    "type",
    "company_name",
    "allowed_domains",
    "invite_id",
    "allow_open_invite",
    "last_team_icon_update",
    "scheme_id",
    "group_constrained",
    "policy_id",
    "cloud_limits_archived",
}


def make_team(api, owner, name="alpha", **fields) -> dict:
    response = api.as_(owner).post(
        "teams", {"name": name, "display_name": name.title(), "type": "O", **fields}
    )
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.get_json()


def join(api, account, team_id):
    return api.as_(account).post(f"teams/{team_id}/members", {"team_id": team_id, "user_id": account.id})


def channel_names_of(hub, team_id, user_id) -> set[str]:
    with hub.store.read() as s:
        return set(
            s.scalars(
                select(models.Channel.name)
                .join(models.ChannelMember, models.ChannelMember.channel_id == models.Channel.id)
                .where(models.Channel.team_id == team_id, models.ChannelMember.user_id == user_id)
            )
        )


def test_create_team_answers_201_and_makes_the_creator_its_admin(api, hub, make_account):
    alice = make_account("alice")
    response = api.as_(alice).post(
        "teams", {"name": "alpha", "display_name": "Alpha", "type": "O", "email": "Team@Example.com"}
    )
    assert response.status_code == 201
    team = response.get_json()
    assert set(team) == TEAM_FIELDS
    assert team["name"] == "alpha" and team["type"] == "O" and team["allow_open_invite"] is True
    assert team["email"] == "team@example.com" and len(team["invite_id"]) == 26

    member = api.as_(alice).get(f"teams/{team['id']}/members/me").get_json()
    assert member["roles"] == "team_user team_admin"
    assert member["scheme_admin"] is True and member["delete_at"] == 0
    assert channel_names_of(hub, team["id"], alice.id) == {"town-square", "off-topic"}

    invite_only = make_team(api, alice, "beta", type="I")
    assert invite_only["type"] == "I" and invite_only["allow_open_invite"] is False


def test_create_team_refuses_bad_input(api, make_account):
    alice = api.as_(make_account("alice"))
    make_team(api, make_account("bob"), "alpha")
    assert_app_error(
        alice.post("teams", {"name": "alpha", "display_name": "A"}), 400, "app.team.save.existing.app_error"
    )
    assert_app_error(
        alice.post("teams", {"name": "Has Spaces", "display_name": "A"}),
        400,
        "model.team.is_valid.url.app_error",
    )
    assert_app_error(
        alice.post("teams", {"name": "x", "display_name": "A"}), 400, "model.team.is_valid.url.app_error"
    )
    assert_app_error(
        alice.post("teams", {"name": "signup", "display_name": "A"}),
        400,
        "model.team.is_valid.reserved.app_error",
    )
    assert_app_error(
        alice.post("teams", {"name": "gamma", "display_name": ""}), 400, "model.team.is_valid.name.app_error"
    )
    assert_app_error(
        alice.post("teams", {"name": "gamma", "display_name": "G", "type": "X"}),
        400,
        "model.team.is_valid.type.app_error",
    )
    assert_app_error(
        alice.post("teams", {"name": "gamma", "display_name": "G", "allow_open_invite": "yes"}),
        400,
        "api.context.invalid_param.app_error",
    )
    assert_app_error(
        alice.request("POST", "teams", data="{nope", headers={"Content-Type": "application/json"}),
        400,
        "api.context.invalid_body_param.app_error",
    )
    assert_app_error(alice.post("teams", ["alpha"]), 400, "api.context.invalid_body_param.app_error")
    assert_app_error(api.post("teams", {"name": "gamma", "display_name": "G"}), 401)


def test_get_team_by_id_and_name_follows_visibility(api, make_account):
    owner, outsider = make_account("owner"), make_account("outsider")
    open_team = make_team(api, owner, "alpha")
    private_team = make_team(api, owner, "beta", type="I")
    as_outsider = api.as_(outsider)

    seen = as_outsider.get(f"teams/{open_team['id']}").get_json()
    assert seen["id"] == open_team["id"]
    assert seen["invite_id"] == "" and seen["email"] == ""
    assert api.as_(owner).get(f"teams/{open_team['id']}").get_json()["invite_id"] == open_team["invite_id"]
    assert as_outsider.get("teams/name/alpha").get_json()["id"] == open_team["id"]

    assert_app_error(as_outsider.get(f"teams/{private_team['id']}"), 403, "api.context.permissions.app_error")
    assert_app_error(as_outsider.get("teams/name/beta"), 403)
    assert api.as_(owner).get("teams/name/beta").status_code == 200
    assert_app_error(as_outsider.get("teams/" + "a" * 26), 404, "app.team.get.find.app_error")
    assert_app_error(as_outsider.get("teams/not-an-id"), 400, "api.context.invalid_param.app_error")
    assert_app_error(as_outsider.get("teams/name/nosuchteam"), 404, "app.team.get_by_name.missing.app_error")


def test_team_name_exists_does_not_leak_private_teams(api, admin, make_account):
    owner, outsider = make_account("owner"), make_account("outsider")
    make_team(api, owner, "alpha")
    make_team(api, owner, "beta", type="I")
    assert api.as_(outsider).get("teams/name/alpha/exists").get_json() == {"exists": True}
    assert api.as_(outsider).get("teams/name/beta/exists").get_json() == {"exists": False}
    assert api.as_(owner).get("teams/name/beta/exists").get_json() == {"exists": True}
    assert api.as_(admin).get("teams/name/beta/exists").get_json() == {"exists": True}
    assert api.as_(owner).get("teams/name/nothing/exists").get_json() == {"exists": False}


def test_list_teams_shows_open_teams_to_users_and_all_to_admins(api, admin, make_account):
    owner, user = make_account("owner"), make_account("user")
    for name in ("delta", "alpha", "charlie"):
        make_team(api, owner, name)
    make_team(api, owner, "bravo", type="I")

    names = [t["name"] for t in api.as_(user).get("teams").get_json()]
    assert names == ["alpha", "charlie", "delta"]
    all_names = [t["name"] for t in api.as_(admin).get("teams").get_json()]
    assert all_names == ["alpha", "bravo", "charlie", "delta"]

    page = api.as_(admin).get("teams?page=1&per_page=2").get_json()
    assert [t["name"] for t in page] == ["charlie", "delta"]
    counted = api.as_(user).get("teams?per_page=1&include_total_count=true").get_json()
    assert set(counted) == {"teams", "total_count"}
    assert [t["name"] for t in counted["teams"]] == ["alpha"] and counted["total_count"] == 3
    assert_app_error(api.as_(user).get("teams?page=minus"), 400, "api.context.invalid_param.app_error")


def test_patch_and_update_need_a_team_admin(api, admin, make_account):
    owner, member = make_account("owner"), make_account("member")
    team = make_team(api, owner, "alpha")
    join(api, member, team["id"])

    patched = api.as_(owner).put(
        f"teams/{team['id']}/patch", {"display_name": "Alpha Team", "allow_open_invite": False}
    )
    assert patched.status_code == 200
    body = patched.get_json()
    assert body["display_name"] == "Alpha Team" and body["allow_open_invite"] is False and body["type"] == "I"
    assert body["description"] == "" and body["update_at"] >= team["update_at"]

    assert_app_error(api.as_(member).put(f"teams/{team['id']}/patch", {"display_name": "Mine"}), 403)
    assert_app_error(
        api.as_(owner).put(f"teams/{team['id']}/patch", {"display_name": ""}),
        400,
        "model.team.is_valid.name.app_error",
    )
    assert_app_error(api.as_(owner).put(f"teams/{team['id']}/patch", {"description": 7}), 400)

    full = {**body, "description": "everything", "allow_open_invite": True}
    updated = api.as_(admin).put(f"teams/{team['id']}", full)
    assert updated.status_code == 200
    assert updated.get_json()["description"] == "everything" and updated.get_json()["type"] == "O"
    assert_app_error(
        api.as_(owner).put(f"teams/{team['id']}", {**full, "id": "b" * 26}),
        400,
        "api.context.invalid_param.app_error",
    )
    assert_app_error(api.as_(member).put(f"teams/{team['id']}", full), 403)


def test_delete_team_archives_it(api, admin, make_account):
    owner, member = make_account("owner"), make_account("member")
    team = make_team(api, owner, "alpha")
    join(api, member, team["id"])
    assert_app_error(api.as_(member).delete(f"teams/{team['id']}"), 403)
    assert_app_error(
        api.as_(owner).delete(f"teams/{team['id']}?permanent=true"),
        401,
        "api.user.delete_team.not_enabled.app_error",
    )

    response = api.as_(owner).delete(f"teams/{team['id']}")
    assert response.status_code == 200 and response.get_json() == {"status": "OK"}
    assert api.as_(owner).get(f"teams/{team['id']}").get_json()["delete_at"] > 0
    assert api.as_(member).get("teams").get_json() == []
    assert api.as_(admin).get("teams").get_json() == []
    assert api.as_(member).get("users/me/teams").get_json() == []


def test_joining_an_open_team_joins_its_default_channels(api, hub, make_account):
    owner, bob = make_account("owner"), make_account("bob")
    team = make_team(api, owner, "alpha")
    response = join(api, bob, team["id"])
    assert response.status_code == 201
    assert response.get_json() == {
        "team_id": team["id"],
        "user_id": bob.id,
        "roles": "team_user",
        "delete_at": 0,
        "scheme_guest": False,
        "scheme_user": True,
        "scheme_admin": False,
        "explicit_roles": "",
        "create_at": response.get_json()["create_at"],
    }
    assert channel_names_of(hub, team["id"], bob.id) == {"town-square", "off-topic"}
    again = join(api, bob, team["id"])
    assert again.status_code == 201 and again.get_json()["create_at"] == response.get_json()["create_at"]


def test_adding_members_follows_mattermost_permissions(api, admin, make_account):
    owner, member, bob, carol = (make_account(n) for n in ("owner", "member", "bob", "carol"))
    private_team = make_team(api, owner, "beta", type="I")
    team_id = private_team["id"]

    assert_app_error(join(api, bob, team_id), 403, "api.context.permissions.app_error")
    assert_app_error(
        api.as_(bob).post(f"teams/{team_id}/members", {"team_id": team_id, "user_id": carol.id}), 403
    )
    added = api.as_(owner).post(f"teams/{team_id}/members", {"team_id": team_id, "user_id": member.id})
    assert added.status_code == 201 and added.get_json()["user_id"] == member.id
    # Mattermost's default team_user role holds add_user_to_team: members may add others.
    assert (
        api.as_(member).post(f"teams/{team_id}/members", {"team_id": team_id, "user_id": bob.id}).status_code
        == 201
    )
    assert (
        api.as_(admin).post(f"teams/{team_id}/members", {"team_id": team_id, "user_id": admin.id}).status_code
        == 201
    )

    as_owner = api.as_(owner)
    assert_app_error(
        as_owner.post(f"teams/{team_id}/members", {"team_id": "c" * 26, "user_id": carol.id}), 400
    )
    assert_app_error(as_owner.post(f"teams/{team_id}/members", {"team_id": team_id, "user_id": "nope"}), 400)
    assert_app_error(
        as_owner.post(f"teams/{team_id}/members", {"team_id": team_id, "user_id": "d" * 26}),
        404,
        "app.user.missing_account.const",
    )
    assert_app_error(
        as_owner.post(f"teams/{'e' * 26}/members", {"team_id": "e" * 26, "user_id": carol.id}),
        404,
        "app.team.get.find.app_error",
    )


def test_batch_add_and_member_lookups(api, make_account):
    owner = make_account("owner")
    others = [make_account(f"user{i}") for i in range(3)]
    team = make_team(api, owner, "alpha", type="I")
    team_id = team["id"]
    as_owner = api.as_(owner)

    batch = as_owner.post(
        f"teams/{team_id}/members/batch", [{"team_id": team_id, "user_id": u.id} for u in others]
    )
    assert batch.status_code == 201
    assert sorted(m["user_id"] for m in batch.get_json()) == sorted(u.id for u in others)
    assert_app_error(as_owner.post(f"teams/{team_id}/members/batch", []), 400)
    assert_app_error(
        as_owner.post(f"teams/{team_id}/members/batch", [{"team_id": "x", "user_id": owner.id}]), 400
    )

    everyone = sorted([owner.id] + [u.id for u in others])
    assert [m["user_id"] for m in as_owner.get(f"teams/{team_id}/members").get_json()] == everyone
    paged = as_owner.get(f"teams/{team_id}/members?page=1&per_page=3").get_json()
    assert [m["user_id"] for m in paged] == everyone[3:]
    by_ids = as_owner.post(f"teams/{team_id}/members/ids", [others[0].id, "f" * 26])
    assert [m["user_id"] for m in by_ids.get_json()] == [others[0].id]
    assert_app_error(as_owner.post(f"teams/{team_id}/members/ids", []), 400)
    assert_app_error(
        as_owner.get(f"teams/{team_id}/members/{'f' * 26}"), 404, "app.team.get_member.missing.app_error"
    )

    outsider = api.as_(make_account("outsider"))
    assert_app_error(outsider.get(f"teams/{team_id}/members"), 403)
    assert_app_error(outsider.get(f"teams/{team_id}/members/{owner.id}"), 403)
    assert_app_error(outsider.post(f"teams/{team_id}/members/ids", [owner.id]), 403)


def test_team_stats_count_active_members_apart(api, admin, make_account):
    owner, bob = make_account("owner"), make_account("bob")
    team = make_team(api, owner, "alpha")
    join(api, bob, team["id"])
    api.as_(admin).delete(f"users/{bob.id}")
    stats = api.as_(owner).get(f"teams/{team['id']}/stats")
    assert stats.get_json() == {"team_id": team["id"], "total_member_count": 2, "active_member_count": 1}
    assert_app_error(api.as_(make_account("outsider")).get(f"teams/{team['id']}/stats"), 403)


def test_leaving_a_team_leaves_its_channels(api, hub, make_account):
    owner, bob, carol = make_account("owner"), make_account("bob"), make_account("carol")
    team = make_team(api, owner, "alpha")
    join(api, bob, team["id"])
    join(api, carol, team["id"])
    project = api.as_(bob).post(
        "channels", {"team_id": team["id"], "name": "project", "display_name": "P", "type": "P"}
    )
    assert project.status_code == 201
    assert channel_names_of(hub, team["id"], bob.id) == {"town-square", "off-topic", "project"}

    assert_app_error(api.as_(carol).delete(f"teams/{team['id']}/members/{bob.id}"), 403)
    left = api.as_(bob).delete(f"teams/{team['id']}/members/me")
    assert left.status_code == 200 and left.get_json() == {"status": "OK"}
    assert channel_names_of(hub, team["id"], bob.id) == set()
    assert_app_error(api.as_(owner).get(f"teams/{team['id']}/members/{bob.id}"), 404)
    assert api.as_(bob).get("users/me/teams").get_json() == []
    history = api.as_(bob).get("users/me/teams/members").get_json()
    assert [(m["team_id"], m["delete_at"] > 0, m["roles"]) for m in history] == [
        (team["id"], True, "team_user")
    ]

    # A team admin may remove others; rejoining brings the default channels back.
    assert api.as_(owner).delete(f"teams/{team['id']}/members/{carol.id}").status_code == 200
    assert join(api, bob, team["id"]).status_code == 201
    assert channel_names_of(hub, team["id"], bob.id) == {"town-square", "off-topic"}
    assert_app_error(api.as_(owner).delete(f"teams/{team['id']}/members/{'g' * 26}"), 404)


def test_teams_of_a_user(api, admin, make_account):
    owner, bob = make_account("owner"), make_account("bob")
    alpha = make_team(api, owner, "alpha")
    make_team(api, owner, "beta")
    join(api, bob, alpha["id"])
    assert [t["name"] for t in api.as_(bob).get("users/me/teams").get_json()] == ["alpha"]
    assert [t["name"] for t in api.as_(owner).get(f"users/{owner.id}/teams").get_json()] == ["alpha", "beta"]
    assert [t["name"] for t in api.as_(admin).get(f"users/{bob.id}/teams").get_json()] == ["alpha"]
    assert_app_error(api.as_(bob).get(f"users/{owner.id}/teams"), 403)
    assert_app_error(api.as_(bob).get(f"users/{owner.id}/teams/members"), 403)
    members = api.as_(bob).get(f"users/{bob.id}/teams/members").get_json()
    assert [(m["team_id"], m["user_id"]) for m in members] == [(alpha["id"], bob.id)]


def test_allowed_domains_restrict_who_may_join(api, make_account):
    owner = make_account("owner")
    outsider, insider = make_account("outsider"), make_account("insider")
    team = make_team(api, owner, "alpha", allowed_domains="corp.example, example.com")
    assert join(api, insider, team["id"]).status_code == 201
    api.as_(owner).put(f"teams/{team['id']}/patch", {"allowed_domains": "corp.example"})
    assert_app_error(
        join(api, outsider, team["id"]), 400, "api.team.join_user_to_team.allowed_domains.app_error"
    )


def test_full_team_refuses_new_members(hub_factory, hub, make_account):
    small = hub_factory(TeamSettings={"MaxUsersPerTeam": 2})
    api = ApiClient(create_app(hub=small).test_client())
    owner, bob, carol = make_account("owner"), make_account("bob"), make_account("carol")
    team = make_team(api, owner, "alpha")
    assert join(api, bob, team["id"]).status_code == 201
    assert_app_error(join(api, carol, team["id"]), 400, "app.team.join_user_to_team.max_accounts.app_error")
