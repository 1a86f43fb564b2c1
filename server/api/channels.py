"""/api/v4/channels, and the channel routes nested under teams and users."""

from __future__ import annotations

from dataclasses import asdict

from flask import Blueprint, request

from hub import serialize
from hub.permissions import member_scheme_flags
from server.api.users import resolve_user_id
from server.auth import actor
from server.http import hub, json_body, json_response, query_args, status_ok

bp = Blueprint("channels", __name__, url_prefix="/api/v4")


def channels_answer(channels) -> list[dict]:
    return [serialize.channel(c) for c in channels]


def members_answer(members) -> list[dict]:
    return [serialize.channel_member(m) for m in members]


def _flag(name: str) -> bool:
    return request.args.get(name, "").lower() == "true"


@bp.post("/channels")
def create_channel():
    body = json_body()
    return json_response(serialize.channel(hub().channels.create(actor(), body)), 201)


@bp.post("/channels/direct")
def create_direct_channel():
    user_ids = json_body(list)
    return json_response(serialize.channel(hub().channels.direct(actor(), user_ids)), 201)


@bp.post("/channels/group")
def create_group_channel():
    user_ids = json_body(list)
    return json_response(serialize.channel(hub().channels.group(actor(), user_ids)), 201)


@bp.post("/channels/members/<user_id>/view")
def view_channel(user_id: str):
    body = json_body()
    times = hub().channels.view(actor(), resolve_user_id(user_id), body)
    return json_response({"status": "OK", "last_viewed_at_times": times})


@bp.get("/channels/<channel_id>")
def get_channel(channel_id: str):
    return json_response(serialize.channel(hub().channels.get(actor(), channel_id)))


@bp.put("/channels/<channel_id>")
def update_channel(channel_id: str):
    body = json_body()
    return json_response(serialize.channel(hub().channels.update(actor(), channel_id, body)))


@bp.put("/channels/<channel_id>/patch")
def patch_channel(channel_id: str):
    body = json_body()
    return json_response(serialize.channel(hub().channels.patch(actor(), channel_id, body)))


@bp.delete("/channels/<channel_id>")
def delete_channel(channel_id: str):
    hub().channels.archive(actor(), channel_id, permanent=_flag("permanent"))
    return status_ok()


@bp.post("/channels/<channel_id>/restore")
def restore_channel(channel_id: str):
    return json_response(serialize.channel(hub().channels.restore(actor(), channel_id)))


@bp.get("/channels/<channel_id>/stats")
def channel_stats(channel_id: str):
    stats = hub().channels.stats(actor(), channel_id, exclude_files_count=_flag("exclude_files_count"))
    return json_response(asdict(stats))


@bp.get("/channels/<channel_id>/members")
def channel_members(channel_id: str):
    return json_response(members_answer(hub().channels.members(actor(), channel_id, query_args())))


@bp.post("/channels/<channel_id>/members")
def add_channel_member(channel_id: str):
    body = json_body()
    # Mattermost answers one member for {"user_id"} and a list for {"user_ids"}.
    many = isinstance(body.get("user_ids"), list)
    user_ids = body["user_ids"] if many else [body.get("user_id")]
    members = hub().channels.add_members(actor(), channel_id, user_ids)
    return json_response(members_answer(members) if many else serialize.channel_member(members[0]), 201)


@bp.post("/channels/<channel_id>/members/ids")
def channel_members_by_ids(channel_id: str):
    user_ids = json_body(list)
    return json_response(members_answer(hub().channels.members_by_ids(actor(), channel_id, user_ids)))


@bp.get("/channels/<channel_id>/members/<user_id>")
def channel_member(channel_id: str, user_id: str):
    member = hub().channels.member(actor(), channel_id, resolve_user_id(user_id))
    return json_response(serialize.channel_member(member))


@bp.put("/channels/<channel_id>/members/<user_id>/notify_props")
def update_channel_member_notify_props(channel_id: str, user_id: str):
    props = json_body()
    hub().channels.update_member_notify_props(actor(), channel_id, resolve_user_id(user_id), props)
    return status_ok()


@bp.put("/channels/<channel_id>/members/<user_id>/roles")
@bp.put("/channels/<channel_id>/members/<user_id>/schemeRoles")
def update_channel_member_roles(channel_id: str, user_id: str):
    caller = actor()
    flags = member_scheme_flags(json_body(), "channel", by_role_names=request.path.endswith("/roles"))
    hub().channels.update_member_roles(caller, channel_id, resolve_user_id(user_id), flags)
    return status_ok()


@bp.delete("/channels/<channel_id>/members/<user_id>")
def remove_channel_member(channel_id: str, user_id: str):
    hub().channels.remove_member(actor(), channel_id, resolve_user_id(user_id))
    return status_ok()


@bp.get("/teams/<team_id>/channels")
def public_channels(team_id: str):
    return json_response(channels_answer(hub().channels.public_for_team(actor(), team_id, query_args())))


@bp.get("/teams/<team_id>/channels/deleted")
def archived_channels(team_id: str):
    return json_response(channels_answer(hub().channels.archived_for_team(actor(), team_id, query_args())))


@bp.get("/teams/<team_id>/channels/autocomplete")
def autocomplete_channels(team_id: str):
    return json_response(
        channels_answer(hub().channels.autocomplete(actor(), team_id, request.args.get("name", "")))
    )


@bp.get("/teams/<team_id>/channels/search_autocomplete")
def search_autocomplete_channels(team_id: str):
    found = hub().channels.search_autocomplete(actor(), team_id, request.args.get("name", ""))
    # A direct channel is shown under the other user's username, as Mattermost answers it.
    return json_response([{**serialize.channel(channel), "display_name": name} for channel, name in found])


@bp.get("/teams/<team_id>/channels/name/<channel_name>")
def channel_by_name(team_id: str, channel_name: str):
    channel = hub().channels.by_name(actor(), team_id, channel_name, include_deleted=_flag("include_deleted"))
    return json_response(serialize.channel(channel))


@bp.get("/teams/name/<team_name>/channels/name/<channel_name>")
def channel_by_team_and_channel_name(team_name: str, channel_name: str):
    channel = hub().channels.by_team_name(
        actor(), team_name, channel_name, include_deleted=_flag("include_deleted")
    )
    return json_response(serialize.channel(channel))


@bp.get("/users/<user_id>/teams/<team_id>/channels")
def channels_of_user_in_team(user_id: str, team_id: str):
    channels = hub().channels.for_user_in_team(
        actor(), resolve_user_id(user_id), team_id, include_deleted=_flag("include_deleted")
    )
    return json_response(channels_answer(channels))


@bp.get("/users/<user_id>/teams/<team_id>/channels/members")
def channel_memberships_of_user_in_team(user_id: str, team_id: str):
    members = hub().channels.memberships_in_team(actor(), resolve_user_id(user_id), team_id)
    return json_response(members_answer(members))
