"""Slash commands: /api/v4/commands (custom commands, execution, autocomplete), and the
response_url (POST /hooks/commands/{id}) through which a command answers later."""

from __future__ import annotations

from flask import Blueprint, Response, request

from server.auth import actor
from server.http import capped_body, hub, json_body, json_response, status_ok
from webhooks import commands
from webhooks.commands.service import to_api, to_api_with_signing_secret

bp = Blueprint("commands", __name__)


@bp.post("/api/v4/commands")
def create_command():
    body = json_body()
    return json_response(to_api_with_signing_secret(commands.service(hub()).create(actor(), body)), 201)


@bp.get("/api/v4/commands")
def list_commands():
    custom_only = request.args.get("custom_only", "").lower() == "true"
    return json_response(commands.service(hub()).list(actor(), request.args.get("team_id"), custom_only))


@bp.get("/api/v4/teams/<team_id>/commands/autocomplete")
def autocomplete_commands(team_id: str):
    return json_response(commands.service(hub()).autocomplete(actor(), team_id))


@bp.post("/api/v4/commands/execute")
def execute_command():
    caller = actor()
    return json_response(commands.service(hub()).execute(caller, json_body()).to_api())


@bp.get("/api/v4/commands/<command_id>")
def get_command(command_id: str):
    return json_response(to_api(commands.service(hub()).get(actor(), command_id)))


@bp.put("/api/v4/commands/<command_id>")
def update_command(command_id: str):
    body = json_body()
    return json_response(to_api(commands.service(hub()).update(actor(), command_id, body)))


@bp.delete("/api/v4/commands/<command_id>")
def delete_command(command_id: str):
    commands.service(hub()).delete(actor(), command_id)
    return status_ok()


@bp.put("/api/v4/commands/<command_id>/regen_token")
def regenerate_command_token(command_id: str):
    return json_response({"token": commands.service(hub()).regenerate_token(actor(), command_id)})


@bp.post("/api/v4/commands/<command_id>/regen_signing_secret")
def regenerate_command_signing_secret(command_id: str):
    return json_response(
        {"signing_secret": commands.service(hub()).regenerate_signing_secret(actor(), command_id)}
    )


@bp.post("/hooks/commands/<hook_id>")
def command_response_url(hook_id: str):
    commands.service(hub()).respond_later(hook_id, capped_body(), request.headers.get("Content-Type", ""))
    return Response("ok", status=200, mimetype="text/plain")
