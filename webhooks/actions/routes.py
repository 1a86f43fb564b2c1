"""Interactive messages and dialogs: a click on a post's button or menu (POST
/api/v4/posts/{id}/actions/{action_id}), and the dialogs integrations open with a trigger id
(POST /api/v4/actions/dialogs/open, which the trigger id authorises) and users submit."""

from __future__ import annotations

from flask import Blueprint

from server.auth import actor, public
from server.http import hub, json_body, json_response, status_ok
from webhooks import actions

bp = Blueprint("actions", __name__)


@bp.post("/api/v4/posts/<post_id>/actions/<action_id>")
def do_post_action(post_id: str, action_id: str):
    caller = actor()
    return json_response(
        actions.service(hub()).do_action(caller, post_id, action_id, json_body(optional=True))
    )


@bp.post("/api/v4/actions/dialogs/open")
@public
def open_dialog():
    actions.service(hub()).open_dialog(json_body())
    return status_ok()


@bp.post("/api/v4/actions/dialogs/submit")
def submit_dialog():
    caller = actor()
    return json_response(actions.service(hub()).submit_dialog(caller, json_body()))
