"""/api/v4/users/.../status: user statuses (online, away, dnd, offline)."""

from __future__ import annotations

from flask import Blueprint

from hub import serialize
from server.api.users import resolve_user_id
from server.auth import actor
from server.http import hub, json_body, json_response

bp = Blueprint("statuses", __name__, url_prefix="/api/v4/users")


@bp.get("/<user_id>/status")
def get_status(user_id: str):
    actor()
    return json_response(serialize.status(hub().statuses.get(resolve_user_id(user_id))))


@bp.put("/<user_id>/status")
def update_status(user_id: str):
    body = json_body()
    status = hub().statuses.update(actor(), resolve_user_id(user_id), body)
    return json_response(serialize.status(status))


@bp.post("/status/ids")
def statuses_by_ids():
    user_ids = json_body(list)
    actor()
    return json_response([serialize.status(s) for s in hub().statuses.get_many(user_ids)])
