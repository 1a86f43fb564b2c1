"""/api/v4/reactions and the post and user routes of reactions."""

from __future__ import annotations

from flask import Blueprint

from hub import serialize
from server.api.users import resolve_user_id
from server.auth import actor
from server.http import hub, json_body, json_response, status_ok

bp = Blueprint("reactions", __name__, url_prefix="/api/v4")


@bp.post("/reactions")
def save_reaction():
    caller = actor()
    return json_response(serialize.reaction(hub().reactions.save(caller, json_body())), 201)


@bp.get("/posts/<post_id>/reactions")
def post_reactions(post_id: str):
    return json_response([serialize.reaction(r) for r in hub().reactions.for_post(actor(), post_id)])


@bp.post("/posts/ids/reactions")
def reactions_for_posts():
    caller = actor()
    found = hub().reactions.for_posts(caller, json_body(list))
    return json_response({post_id: [serialize.reaction(r) for r in rows] for post_id, rows in found.items()})


@bp.delete("/users/<user_id>/posts/<post_id>/reactions/<emoji_name>")
def delete_reaction(user_id: str, post_id: str, emoji_name: str):
    caller = actor()
    hub().reactions.delete(caller, resolve_user_id(user_id), post_id, emoji_name)
    return status_ok()
