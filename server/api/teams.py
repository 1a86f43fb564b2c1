"""/api/v4/teams, and the teams of a user under /api/v4/users/{user_id}/teams."""

from __future__ import annotations

from dataclasses import asdict

from flask import Blueprint, request

from hub import serialize
from hub.errors import invalid_param
from hub.permissions import member_scheme_flags
from hub.services.teams import TeamView
from server.api.users import resolve_user_id
from server.auth import actor
from server.http import hub, json_body, json_response, query_args, status_ok

bp = Blueprint("teams", __name__, url_prefix="/api/v4")


def team_answer(view: TeamView) -> dict:
    return serialize.team(view.team, show_invite=view.show_invite)


def members_answer(members) -> list[dict]:
    return [serialize.team_member(m) for m in members]


def _flag(name: str) -> bool:
    return request.args.get(name, "").lower() == "true"


@bp.post("/teams")
def create_team():
    body = json_body()
    team = hub().teams.create(actor(), body)
    return json_response(serialize.team(team, show_invite=True), 201)


@bp.get("/teams")
def list_teams():
    views, total = hub().teams.list(actor(), query_args())
    teams = [team_answer(v) for v in views]
    return json_response(teams if total is None else {"teams": teams, "total_count": total})


@bp.get("/teams/<team_id>")
def get_team(team_id: str):
    return json_response(team_answer(hub().teams.get(actor(), team_id)))


@bp.get("/teams/name/<name>")
def get_team_by_name(name: str):
    return json_response(team_answer(hub().teams.get_by_name(actor(), name)))


@bp.get("/teams/name/<name>/exists")
def team_exists(name: str):
    return json_response({"exists": hub().teams.exists(actor(), name)})


@bp.put("/teams/<team_id>/patch")
def patch_team(team_id: str):
    body = json_body()
    return json_response(team_answer(hub().teams.patch(actor(), team_id, body)))


@bp.put("/teams/<team_id>")
def update_team(team_id: str):
    body = json_body()
    if body.get("id") != team_id:
        raise invalid_param("id", "the body's id differs from the URL's")
    return json_response(team_answer(hub().teams.patch(actor(), team_id, body, replace=True)))


@bp.delete("/teams/<team_id>")
def delete_team(team_id: str):
    hub().teams.archive(actor(), team_id, permanent=_flag("permanent"))
    return status_ok()


@bp.get("/teams/<team_id>/stats")
def team_stats(team_id: str):
    return json_response(asdict(hub().teams.stats(actor(), team_id)))


@bp.get("/teams/<team_id>/members")
def team_members(team_id: str):
    return json_response(members_answer(hub().teams.members(actor(), team_id, query_args())))


@bp.post("/teams/<team_id>/members")
def add_team_member(team_id: str):
    body = json_body()
    return json_response(serialize.team_member(hub().teams.join(actor(), team_id, body)), 201)


@bp.post("/teams/<team_id>/members/batch")
def add_team_members(team_id: str):
    members = json_body(list)
    return json_response(members_answer(hub().teams.join_many(actor(), team_id, members)), 201)


@bp.post("/teams/<team_id>/members/ids")
def team_members_by_ids(team_id: str):
    user_ids = json_body(list)
    return json_response(members_answer(hub().teams.members_by_ids(actor(), team_id, user_ids)))


@bp.get("/teams/<team_id>/members/<user_id>")
def team_member(team_id: str, user_id: str):
    return json_response(
        serialize.team_member(hub().teams.member(actor(), team_id, resolve_user_id(user_id)))
    )


@bp.put("/teams/<team_id>/members/<user_id>/roles")
@bp.put("/teams/<team_id>/members/<user_id>/schemeRoles")
def update_team_member_roles(team_id: str, user_id: str):
    caller = actor()
    flags = member_scheme_flags(json_body(), "team", by_role_names=request.path.endswith("/roles"))
    hub().teams.update_member_roles(caller, team_id, resolve_user_id(user_id), flags)
    return status_ok()


@bp.delete("/teams/<team_id>/members/<user_id>")
def remove_team_member(team_id: str, user_id: str):
    hub().teams.leave(actor(), team_id, resolve_user_id(user_id))
    return status_ok()


@bp.get("/users/<user_id>/teams")
def teams_of_user(user_id: str):
    return json_response(
        [team_answer(v) for v in hub().teams.teams_of_user(actor(), resolve_user_id(user_id))]
    )


@bp.get("/users/<user_id>/teams/members")
def team_memberships_of_user(user_id: str):
    return json_response(members_answer(hub().teams.memberships_of_user(actor(), resolve_user_id(user_id))))


@bp.get("/users/<user_id>/teams/unread")
def team_unreads_of_user(user_id: str):
    # include_collapsed_threads is accepted: Hubbub has no followed threads to count.
    unreads = hub().teams.unreads_of_user(
        actor(), resolve_user_id(user_id), exclude_team_id=request.args.get("exclude_team", "")
    )
    return json_response([asdict(u) for u in unreads])


@bp.get("/users/<user_id>/teams/<team_id>/unread")
def team_unread_of_user(user_id: str, team_id: str):
    return json_response(asdict(hub().teams.unread_of_user(actor(), resolve_user_id(user_id), team_id)))
