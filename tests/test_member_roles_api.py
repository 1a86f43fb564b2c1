"""PUT /teams/{id}/members/{user_id}/roles and /schemeRoles, and the same for channel members, as
Mattermost's UpdateTeamMemberRoles and UpdateChannelMemberRoles answer them."""

import pytest

from tests.fixtures import assert_app_error

INVALID = "api.context.invalid_param.app_error"
FORBIDDEN = "api.context.permissions.app_error"


def _team_member(api, room, user_id: str) -> dict:
    return api.as_(room.owner).get(f"teams/{room.team_id}/members/{user_id}").get_json()


def _channel_member(api, room, user_id: str) -> dict:
    return api.as_(room.owner).get(f"channels/{room.channel_id}/members/{user_id}").get_json()


def test_a_team_admin_promotes_and_demotes_a_member(api, room, ws_connect):
    socket = ws_connect(room.member)
    promote = api.as_(room.owner).put(
        f"teams/{room.team_id}/members/{room.member.id}/roles", {"roles": "team_user team_admin"}
    )
    assert (promote.status_code, promote.get_json()) == (200, {"status": "OK"})
    member = _team_member(api, room, room.member.id)
    assert (member["roles"], member["scheme_admin"], member["scheme_user"]) == (
        "team_user team_admin",
        True,
        True,
    )
    event = socket.expect("memberrole_updated")
    assert event["broadcast"]["user_id"] == room.member.id
    assert '"scheme_admin":true' in event["data"]["member"]
    # The new admin may now do what team admins do: archive the team's channels, change roles.
    assert (
        api.as_(room.member)
        .put(
            f"teams/{room.team_id}/members/{room.owner.id}/schemeRoles",
            {"scheme_admin": False, "scheme_user": True},
        )
        .status_code
        == 200
    )
    assert _team_member(api, room, room.owner.id)["roles"] == "team_user"
    assert_app_error(
        api.as_(room.owner).put(
            f"teams/{room.team_id}/members/{room.member.id}/roles", {"roles": "team_user"}
        ),
        403,
        FORBIDDEN,
    )


def test_a_channel_admin_is_made_by_its_team_admin(api, room, ws_connect):
    socket = ws_connect(room.member)
    path = f"channels/{room.channel_id}/members/{room.member.id}"
    assert_app_error(api.as_(room.member).put(f"{path}/roles", {"roles": "channel_user channel_admin"}), 403)
    assert (
        api.as_(room.owner).put(f"{path}/roles", {"roles": "channel_user channel_admin"}).status_code == 200
    )
    member = _channel_member(api, room, room.member.id)
    assert (member["roles"], member["scheme_admin"]) == ("channel_user channel_admin", True)
    assert '"scheme_admin":true' in socket.expect("channel_member_updated")["data"]["channelMember"]
    # A channel admin manages the channel's roles, not the team's.
    assert (
        api.as_(room.member)
        .put(f"channels/{room.channel_id}/members/{room.owner.id}/schemeRoles", {"scheme_user": True})
        .status_code
        == 200
    )
    assert _channel_member(api, room, room.owner.id)["roles"] == "channel_user"
    assert_app_error(
        api.as_(room.member).put(
            f"teams/{room.team_id}/members/{room.owner.id}/roles", {"roles": "team_user"}
        ),
        403,
    )


@pytest.mark.parametrize(
    "body, error_id",
    [
        ({"roles": 7}, INVALID),
        ({}, INVALID),
        ({"roles": "team_user system_admin"}, "api.channel.update_team_member_roles.scheme_role.app_error"),
        ({"roles": "team_user channel_admin"}, "api.channel.update_team_member_roles.scheme_role.app_error"),
        ({"roles": "team_user wizard"}, "app.role.get_by_name.app_error"),
        ({"roles": "team_guest"}, "api.channel.update_team_member_roles.changing_guest_role.app_error"),
    ],
)
def test_team_roles_refused(api, room, body, error_id):
    answer = api.as_(room.owner).put(f"teams/{room.team_id}/members/{room.member.id}/roles", body)
    assert_app_error(answer, 400, error_id)
    assert _team_member(api, room, room.member.id)["roles"] == "team_user"


@pytest.mark.parametrize(
    "body, error_id",
    [
        ([], "api.context.invalid_body_param.app_error"),
        ({"scheme_admin": "yes"}, INVALID),
        (
            {"scheme_user": True, "scheme_guest": True},
            "api.channel.update_channel_member_roles.changing_guest_role.app_error",
        ),
    ],
)
def test_channel_scheme_roles_refused(api, room, body, error_id):
    answer = api.as_(room.owner).put(f"channels/{room.channel_id}/members/{room.member.id}/schemeRoles", body)
    assert_app_error(answer, 400, error_id)
    assert _channel_member(api, room, room.member.id)["roles"] == "channel_user"


def test_roles_of_someone_who_is_not_a_member(api, room, admin):
    assert_app_error(
        api.as_(room.owner).put(
            f"teams/{room.team_id}/members/{room.outsider.id}/roles", {"roles": "team_user"}
        ),
        404,
    )
    assert_app_error(
        api.as_(room.owner).put(
            f"channels/{room.private_channel_id}/members/{room.member.id}/roles", {"roles": "channel_user"}
        ),
        404,
    )
    assert_app_error(
        api.as_(admin).put(f"teams/{'a' * 26}/members/{room.member.id}/roles", {"roles": "team_user"}), 404
    )
    assert_app_error(
        api.as_(room.owner).put(f"teams/{room.team_id}/members/nope/roles", {"roles": "team_user"}), 400
    )
