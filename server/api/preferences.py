"""/api/v4/users/{user_id}/preferences: a user's saved settings."""

from __future__ import annotations

from flask import Blueprint

from hub import serialize
from server.api.users import resolve_user_id
from server.auth import actor
from server.http import hub, json_body, json_response, status_ok

bp = Blueprint("preferences", __name__, url_prefix="/api/v4/users/<user_id>/preferences")


@bp.get("")
def get_preferences(user_id: str):
    found = hub().preferences.list(actor(), resolve_user_id(user_id))
    return json_response([serialize.preference(p) for p in found])


@bp.put("")
def update_preferences(user_id: str):
    items = json_body(list)
    hub().preferences.save(actor(), resolve_user_id(user_id), items)
    return status_ok()


@bp.post("/delete")
def delete_preferences(user_id: str):
    items = json_body(list)
    hub().preferences.delete(actor(), resolve_user_id(user_id), items)
    return status_ok()


@bp.get("/<category>")
def get_preferences_by_category(user_id: str, category: str):
    found = hub().preferences.list_category(actor(), resolve_user_id(user_id), category)
    return json_response([serialize.preference(p) for p in found])


@bp.get("/<category>/name/<name>")
def get_preference(user_id: str, category: str, name: str):
    found = hub().preferences.get(actor(), resolve_user_id(user_id), category, name)
    return json_response(serialize.preference(found))
