"""System endpoints: ping, the client configuration, and for system admins the configuration, the
recent log lines and the statistics of Mattermost's system console."""

from __future__ import annotations

from flask import Blueprint, current_app, request

from hub.errors import AppError
from server.auth import actor, public, session_actor
from server.http import hub, json_body, json_response

bp = Blueprint("system", __name__, url_prefix="/api/v4")


@bp.get("/system/ping")
@public
def ping():
    """Mattermost always sends the mobile app version keys (empty when no minimum is set); with
    get_server_status=true it checks the database and the file store and answers 500 when either fails."""
    answer = {
        "status": "OK",
        "ActiveSearchBackend": "database",
        "AndroidLatestVersion": "",
        "AndroidMinVersion": "",
        "IosLatestVersion": "",
        "IosMinVersion": "",
    }
    if request.args.get("get_server_status", "").lower() != "true":
        return json_response(answer)
    health = hub().health()
    answer["database_status"] = "OK" if health["database"] else "UNHEALTHY"
    answer["filestore_status"] = "OK" if health["files"] else "UNHEALTHY"
    healthy = all(health.values())
    answer["status"] = "OK" if healthy else "UNHEALTHY"
    return json_response(answer, 200 if healthy else 500)


@bp.get("/config/client")
@public
def client_config():
    if request.args.get("format") != "old":
        raise AppError(
            "api.config.client.old_format.app_error",
            "New format for the client configuration is not supported yet. Please specify format=old in the query string.",
            501,
        )
    return json_response(hub().system.client_config(session_actor()))


_NO_STORE = {"Cache-Control": "no-cache, no-store, must-revalidate"}


@bp.get("/config")
def get_config():
    return json_response(hub().system.config(actor()), headers=_NO_STORE)


@bp.put("/config")
def update_config():
    data = json_body()
    return json_response(hub().system.replace_config(actor(), data), headers=_NO_STORE)


@bp.put("/config/patch")
def patch_config():
    patch = json_body()
    return json_response(hub().system.patch_config(actor(), patch), headers=_NO_STORE)


@bp.get("/config/environment")
def environment_config():
    return json_response(hub().system.environment(actor()), headers=_NO_STORE)


@bp.get("/logs")
def logs():
    return json_response(
        hub().system.logs(actor(), request.args.get("page"), request.args.get("logs_per_page"))
    )


@bp.get("/analytics/old")
def analytics():
    rows = hub().system.analytics(
        actor(),
        request.args.get("name", ""),
        request.args.get("team_id", ""),
        websocket_connections=current_app.extensions["sockets"].open_count(),
    )
    return json_response(rows)
