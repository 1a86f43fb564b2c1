"""Bot accounts: /api/v4/bots, as Mattermost's api4/bot.go serves them."""

from __future__ import annotations

from flask import Blueprint, Response, request

from hub import serialize
from hub.services.bots import BotView
from hub.services.users import truthy
from server.api.users import resolve_user_id
from server.auth import actor
from server.http import hub, json_body, json_response, multipart_file, query_args, revalidated, status_ok

bp = Blueprint("bots", __name__, url_prefix="/api/v4")


def bot_answer(view: BotView) -> dict:
    return serialize.bot(view.bot, view.user)


@bp.post("/bots")
def create_bot():
    caller = actor()
    return json_response(bot_answer(hub().bots.create(caller, json_body())), 201)


@bp.get("/bots")
def list_bots():
    return json_response([bot_answer(view) for view in hub().bots.list(actor(), query_args())])


@bp.get("/bots/<bot_user_id>")
def get_bot(bot_user_id: str):
    view = hub().bots.get(actor(), bot_user_id, include_deleted=truthy(request.args.get("include_deleted")))
    return json_response(bot_answer(view))


@bp.put("/bots/<bot_user_id>")
def patch_bot(bot_user_id: str):
    caller = actor()
    return json_response(bot_answer(hub().bots.patch(caller, bot_user_id, json_body())))


@bp.post("/bots/<bot_user_id>/disable")
def disable_bot(bot_user_id: str):
    return json_response(bot_answer(hub().bots.set_active(actor(), bot_user_id, False)))


@bp.post("/bots/<bot_user_id>/enable")
def enable_bot(bot_user_id: str):
    return json_response(bot_answer(hub().bots.set_active(actor(), bot_user_id, True)))


@bp.post("/bots/<bot_user_id>/assign/<user_id>")
def assign_bot(bot_user_id: str, user_id: str):
    return json_response(bot_answer(hub().bots.assign(actor(), bot_user_id, resolve_user_id(user_id))))


@bp.post("/bots/<bot_user_id>/convert_to_user")
def convert_bot_to_user(bot_user_id: str):
    caller = actor()
    user = hub().bots.convert_to_user(
        caller, bot_user_id, json_body(), system_admin=truthy(request.args.get("set_system_admin"))
    )
    return json_response(hub().users.to_api(caller, user))


@bp.get("/bots/<bot_user_id>/icon")
def get_bot_icon(bot_user_id: str):
    svg, last_icon_update = hub().bots.icon(bot_user_id)
    response = Response(svg, mimetype="image/svg+xml")
    # An SVG opened as a page could run script on this origin: it may show, never run or load anything.
    response.headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; sandbox"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "max-age=86400, private"
    return revalidated(response, str(last_icon_update))


@bp.post("/bots/<bot_user_id>/icon")
def set_bot_icon(bot_user_id: str):
    caller = actor()
    hub().bots.set_icon(caller, bot_user_id, lambda: multipart_file("image", "api.bot.set_bot_icon_image"))
    return status_ok()


@bp.delete("/bots/<bot_user_id>/icon")
def delete_bot_icon(bot_user_id: str):
    hub().bots.delete_icon(actor(), bot_user_id)
    return status_ok()
