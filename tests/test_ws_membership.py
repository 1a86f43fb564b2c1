"""WebSocket events of channels, teams, users and preferences, and sockets closed on revocation.

Each event must arrive within a second with Mattermost's data and broadcast fields, and never reach
users who may not see it (non-members of a private channel, users of another team).
"""

from __future__ import annotations

import json

from tests.fixtures import Account
from tests.wsclient import closed_within

PROMPT = 1.0


def _names(client) -> list[str]:
    return [event["event"] for event in client.drain()]


def _assert_silent(event_name: str, *clients) -> None:
    for client in clients:
        assert event_name not in _names(client)


def _still_open(client) -> bool:
    return client.action("ping")["data"]["text"] == "pong"


# ---- channels --------------------------------------------------------------------------------
def test_channel_created_goes_to_its_creator_only(api, room, ws_connect):
    owner, member = ws_connect(room.owner), ws_connect(room.member)
    response = api.as_(room.owner).post(
        "channels", {"team_id": room.team_id, "name": "fresh", "display_name": "Fresh", "type": "P"}
    )
    assert response.status_code == 201
    created = owner.expect("channel_created", timeout=PROMPT)
    assert created["data"] == {"channel_id": response.get_json()["id"], "team_id": room.team_id}
    assert created["broadcast"]["user_id"] == room.owner.id
    _assert_silent("channel_created", member)


def test_channel_updated_carries_the_channel_as_a_json_string_to_members(api, room, ws_connect):
    owner, member = ws_connect(room.owner), ws_connect(room.member)
    response = api.as_(room.owner).put(
        f"channels/{room.private_channel_id}/patch", {"header": "secret plans"}
    )
    assert response.status_code == 200
    updated = owner.expect("channel_updated", timeout=PROMPT)
    assert isinstance(updated["data"]["channel"], str)
    assert json.loads(updated["data"]["channel"]) == response.get_json()
    assert updated["broadcast"]["channel_id"] == room.private_channel_id
    _assert_silent("channel_updated", member)

    api.as_(room.owner).put(f"channels/{room.channel_id}/patch", {"purpose": "chat"})
    seen = member.expect("channel_updated", timeout=PROMPT)
    assert json.loads(seen["data"]["channel"])["purpose"] == "chat"


def test_a_refused_change_announces_nothing(api, room, ws_connect):
    owner = ws_connect(room.owner)
    response = api.as_(room.member).put(f"channels/{room.private_channel_id}/patch", {"header": "mine now"})
    assert response.status_code in (403, 404)
    _assert_silent("channel_updated", owner)


def test_archiving_a_public_channel_tells_the_team(api, room, ws_connect, make_account):
    stranger = make_account("stranger")
    member, outsider = ws_connect(room.member), ws_connect(stranger)
    assert api.as_(room.owner).delete(f"channels/{room.channel_id}").status_code == 200
    deleted = member.expect("channel_deleted", timeout=PROMPT)
    assert deleted["data"]["channel_id"] == room.channel_id
    assert isinstance(deleted["data"]["delete_at"], int) and deleted["data"]["delete_at"] > 0
    assert deleted["broadcast"]["team_id"] == room.team_id
    _assert_silent("channel_deleted", outsider)

    assert api.as_(room.owner).post(f"channels/{room.channel_id}/restore").status_code == 200
    restored = member.expect("channel_restored", timeout=PROMPT)
    assert restored["data"] == {"channel_id": room.channel_id}
    assert restored["broadcast"]["team_id"] == room.team_id
    _assert_silent("channel_restored", outsider)


def test_archiving_a_private_channel_tells_only_its_members(api, room, ws_connect):
    owner, member = ws_connect(room.owner), ws_connect(room.member)
    assert api.as_(room.owner).delete(f"channels/{room.private_channel_id}").status_code == 200
    assert owner.expect("channel_deleted", timeout=PROMPT)["data"]["channel_id"] == room.private_channel_id
    _assert_silent("channel_deleted", member)

    assert api.as_(room.owner).post(f"channels/{room.private_channel_id}/restore").status_code == 200
    assert owner.expect("channel_restored", timeout=PROMPT)["data"] == {"channel_id": room.private_channel_id}
    _assert_silent("channel_restored", member)


def test_channel_viewed_goes_to_the_viewer_only(api, room, ws_connect):
    owner, member = ws_connect(room.owner), ws_connect(room.member)
    response = api.as_(room.member).post(
        f"channels/members/{room.member.id}/view", {"channel_id": room.channel_id}
    )
    assert response.status_code == 200
    viewed = member.expect("channel_viewed", timeout=PROMPT)
    assert viewed["data"] == {"channel_id": room.channel_id}
    assert viewed["broadcast"]["user_id"] == room.member.id
    _assert_silent("channel_viewed", owner)


def test_user_added_reaches_the_channel_and_the_newcomer(api, room, ws_connect, make_account):
    stranger = make_account("stranger")
    owner, member, outsider = ws_connect(room.owner), ws_connect(room.member), ws_connect(stranger)
    add_member = f"channels/{room.private_channel_id}/members"
    response = api.as_(room.owner).post(add_member, {"user_id": room.member.id})
    assert response.status_code == 201
    for client in (owner, member):
        added = client.expect("user_added", timeout=PROMPT)
        assert added["data"] == {"user_id": room.member.id, "team_id": room.team_id}
        assert added["broadcast"]["channel_id"] == room.private_channel_id
    _assert_silent("user_added", outsider)

    again = api.as_(room.owner).post(add_member, {"user_id": room.member.id})
    assert again.status_code == 201
    _assert_silent("user_added", owner, member)


def test_user_removed_reaches_the_remaining_members_and_the_removed_user(api, room, ws_connect, make_account):
    stranger = make_account("stranger")
    owner, member, outsider = ws_connect(room.owner), ws_connect(room.member), ws_connect(stranger)
    removal = api.as_(room.owner).delete(f"channels/{room.channel_id}/members/{room.member.id}")
    assert removal.status_code == 200

    told = owner.expect("user_removed", timeout=PROMPT)
    assert told["data"] == {"user_id": room.member.id, "remover_id": room.owner.id}
    assert told["broadcast"]["channel_id"] == room.channel_id
    removed = member.expect("user_removed", timeout=PROMPT)
    assert removed["data"] == {"channel_id": room.channel_id, "remover_id": room.owner.id}
    assert removed["broadcast"]["user_id"] == room.member.id and removed["broadcast"]["channel_id"] == ""
    assert "user_removed" not in _names(member)
    _assert_silent("user_removed", outsider)


def test_direct_added_reaches_both_users_once(api, room, ws_connect):
    owner, member, outsider = ws_connect(room.owner), ws_connect(room.member), ws_connect(room.outsider)
    response = api.as_(room.owner).post("channels/direct", [room.owner.id, room.member.id])
    assert response.status_code == 201
    for client in (owner, member):
        added = client.expect("direct_added", timeout=PROMPT)
        assert added["data"] == {"creator_id": room.owner.id, "teammate_id": room.member.id}
        assert added["broadcast"]["channel_id"] == response.get_json()["id"]
    _assert_silent("direct_added", outsider)

    assert api.as_(room.member).post("channels/direct", [room.member.id, room.owner.id]).status_code == 201
    _assert_silent("direct_added", owner, member)


def test_group_added_lists_the_members_as_a_json_string(api, admin, room, ws_connect):
    clients = [ws_connect(account) for account in (room.owner, room.member, room.outsider)]
    watcher = ws_connect(admin)
    response = api.as_(room.owner).post("channels/group", [room.member.id, room.outsider.id])
    assert response.status_code == 201
    for client in clients:
        added = client.expect("group_added", timeout=PROMPT)
        assert json.loads(added["data"]["teammate_ids"]) == [room.member.id, room.outsider.id, room.owner.id]
        assert added["broadcast"]["channel_id"] == response.get_json()["id"]
    _assert_silent("group_added", watcher)


# ---- teams -----------------------------------------------------------------------------------
def test_joining_a_team_tells_the_user_and_the_default_channels(api, room, ws_connect):
    owner, outsider = ws_connect(room.owner), ws_connect(room.outsider)
    response = api.as_(room.owner).post(
        f"teams/{room.team_id}/members", {"team_id": room.team_id, "user_id": room.outsider.id}
    )
    assert response.status_code == 201
    joined = outsider.expect("added_to_team", timeout=PROMPT)
    assert joined["data"] == {"team_id": room.team_id, "user_id": room.outsider.id}
    assert joined["broadcast"]["user_id"] == room.outsider.id
    in_channel = owner.expect("user_added", timeout=PROMPT, user_id=room.outsider.id)
    assert in_channel["data"]["team_id"] == room.team_id
    _assert_silent("added_to_team", owner)


def test_leave_team_reaches_the_team_and_the_leaving_user(api, room, ws_connect):
    owner, member, outsider = ws_connect(room.owner), ws_connect(room.member), ws_connect(room.outsider)
    assert api.as_(room.member).delete(f"teams/{room.team_id}/members/{room.member.id}").status_code == 200
    for client in (owner, member):
        left = client.expect("leave_team", timeout=PROMPT)
        assert left["data"] == {"user_id": room.member.id, "team_id": room.team_id}
        assert left["broadcast"]["team_id"] == room.team_id
    _assert_silent("leave_team", outsider)


def test_update_team_carries_the_team_without_its_invite(api, room, ws_connect):
    member, outsider = ws_connect(room.member), ws_connect(room.outsider)
    response = api.as_(room.owner).put(f"teams/{room.team_id}/patch", {"description": "the crew"})
    assert response.status_code == 200
    updated = member.expect("update_team", timeout=PROMPT)
    team = json.loads(updated["data"]["team"])
    assert team["id"] == room.team_id and team["description"] == "the crew"
    assert team["invite_id"] == "" and team["email"] == ""
    assert updated["broadcast"]["team_id"] == room.team_id
    _assert_silent("update_team", outsider)


# ---- users -----------------------------------------------------------------------------------
def test_new_user_reaches_everyone(api, admin, room, ws_connect):
    member, outsider = ws_connect(room.member), ws_connect(room.outsider)
    response = api.as_(admin).post(
        "users", {"username": "newbie", "email": "newbie@example.com", "password": "Passw0rd!long"}
    )
    assert response.status_code == 201
    for client in (member, outsider):
        told = client.expect("new_user", timeout=PROMPT)
        assert told["data"] == {"user_id": response.get_json()["id"]}
        assert told["broadcast"]["user_id"] == "" and told["broadcast"]["team_id"] == ""


def test_user_updated_is_sanitised_for_others(api, admin, room, ws_connect):
    member, outsider, watcher = ws_connect(room.member), ws_connect(room.outsider), ws_connect(admin)
    assert api.as_(room.member).put(f"users/{room.member.id}/patch", {"nickname": "mm"}).status_code == 200
    seen_by_other = outsider.expect("user_updated", timeout=PROMPT)["data"]["user"]
    assert seen_by_other["id"] == room.member.id and seen_by_other["nickname"] == "mm"
    assert "notify_props" not in seen_by_other and "last_password_update" not in seen_by_other
    for client in (member, watcher):
        full = client.expect("user_updated", timeout=PROMPT)["data"]["user"]
        assert full["nickname"] == "mm" and "notify_props" in full
    for client in (member, outsider, watcher):
        assert "user_updated" not in _names(client)


def test_user_role_updated_goes_to_that_user(api, admin, room, ws_connect):
    member, outsider = ws_connect(room.member), ws_connect(room.outsider)
    roles = "system_user system_user_access_token"
    assert api.as_(admin).put(f"users/{room.member.id}/roles", {"roles": roles}).status_code == 200
    changed = member.expect("user_role_updated", timeout=PROMPT)
    assert changed["data"] == {"user_id": room.member.id, "roles": roles}
    _assert_silent("user_role_updated", outsider)


# ---- preferences -----------------------------------------------------------------------------
def test_preferences_changed_and_deleted_go_to_the_user_only(api, room, ws_connect):
    member, owner = ws_connect(room.member), ws_connect(room.owner)
    preference = {
        "user_id": room.member.id,
        "category": "display_settings",
        "name": "use_military_time",
        "value": "true",
    }
    assert api.as_(room.member).put(f"users/{room.member.id}/preferences", [preference]).status_code == 200
    changed = member.expect("preferences_changed", timeout=PROMPT)
    assert json.loads(changed["data"]["preferences"]) == [preference]
    assert changed["broadcast"]["user_id"] == room.member.id

    removal = api.as_(room.member).post(f"users/{room.member.id}/preferences/delete", [preference])
    assert removal.status_code == 200
    deleted = member.expect("preferences_deleted", timeout=PROMPT)
    assert json.loads(deleted["data"]["preferences"]) == [preference]
    _assert_silent("preferences_changed", owner)
    _assert_silent("preferences_deleted", owner)


# ---- revocation ------------------------------------------------------------------------------
def _second_session(hub, account: Account) -> Account:
    _, token = hub.auth.create_session_for(account.id)
    return Account(account.id, account.username, account.email, account.password, token)


def _personal_token(api, admin: Account, account: Account) -> tuple[str, Account]:
    created = api.as_(admin).post(f"users/{account.id}/tokens", {"description": "bot"}).get_json()
    token = created["token"]
    return created["id"], Account(account.id, account.username, account.email, account.password, token)


def test_logout_closes_that_session_sockets_only(api, hub, room, ws_connect):
    other_device = _second_session(hub, room.member)
    doomed, kept, bystander = ws_connect(room.member), ws_connect(other_device), ws_connect(room.owner)
    assert api.as_(room.member).post("users/logout").status_code == 200
    assert closed_within(doomed.ws, PROMPT)
    assert _still_open(kept) and _still_open(bystander)


def test_revoking_a_session_closes_its_sockets(api, admin, hub, room, ws_connect):
    other_device = _second_session(hub, room.member)
    doomed, kept = ws_connect(room.member), ws_connect(other_device)
    sessions = api.as_(admin).get(f"users/{room.member.id}/sessions").get_json()
    newest = max(sessions, key=lambda s: s["create_at"])
    oldest = min(sessions, key=lambda s: s["create_at"])
    assert newest["id"] != oldest["id"]
    revoked = api.as_(admin).post(f"users/{room.member.id}/sessions/revoke", {"session_id": oldest["id"]})
    assert revoked.status_code == 200
    assert closed_within(doomed.ws, PROMPT)
    assert _still_open(kept)


def test_revoking_all_sessions_keeps_personal_token_sockets(api, admin, hub, room, ws_connect):
    _, with_token = _personal_token(api, admin, room.member)
    sessions = [ws_connect(room.member), ws_connect(_second_session(hub, room.member))]
    token_socket, bystander = ws_connect(with_token), ws_connect(room.owner)
    assert api.as_(admin).post(f"users/{room.member.id}/sessions/revoke/all").status_code == 200
    assert all(closed_within(client.ws, PROMPT) for client in sessions)
    assert _still_open(token_socket) and _still_open(bystander)


def test_revoking_or_disabling_a_personal_token_closes_its_sockets(api, admin, room, ws_connect):
    first_id, first = _personal_token(api, admin, room.member)
    second_id, second = _personal_token(api, admin, room.member)
    first_socket, second_socket = ws_connect(first), ws_connect(second)
    session_socket = ws_connect(room.member)

    assert api.as_(admin).post("users/tokens/revoke", {"token_id": first_id}).status_code == 200
    assert closed_within(first_socket.ws, PROMPT)
    assert _still_open(second_socket) and _still_open(session_socket)

    assert api.as_(admin).post("users/tokens/disable", {"token_id": second_id}).status_code == 200
    assert closed_within(second_socket.ws, PROMPT)
    assert _still_open(session_socket)


def test_deactivation_closes_every_socket_of_the_user_and_tells_everyone(api, admin, room, ws_connect):
    _, with_token = _personal_token(api, admin, room.member)
    doomed = [ws_connect(room.member), ws_connect(with_token)]
    bystander = ws_connect(room.owner)
    assert api.as_(admin).delete(f"users/{room.member.id}").status_code == 200
    assert all(closed_within(client.ws, PROMPT) for client in doomed)
    updated = bystander.expect("user_updated", timeout=PROMPT)["data"]["user"]
    assert updated["id"] == room.member.id and updated["delete_at"] > 0
    assert _still_open(bystander)
