"""POST /api/v4/teams/{team_id}/posts/search: Mattermost's post search."""

from __future__ import annotations

from flask import Blueprint

from server.api.posts import post_list_answer
from server.auth import actor
from server.http import hub, json_body, json_response

bp = Blueprint("search", __name__, url_prefix="/api/v4")


@bp.post("/teams/<team_id>/posts/search")
def search_posts(team_id: str):
    caller = actor()
    found = hub().search.search_posts(caller, team_id, json_body())
    # `matches` (the words to highlight) is only filled by Elasticsearch-backed servers.
    return json_response(
        {**post_list_answer(found), "matches": None},
        headers={"Cache-Control": "no-cache, no-store, must-revalidate"},
    )
