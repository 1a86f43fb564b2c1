"""Incoming webhooks: management under /api/v4/hooks/incoming, and POST /hooks/{id} for senders."""

from __future__ import annotations

from flask import Blueprint, Response, request

from hub.errors import AppError
from hub.services.webhooks import to_api
from server.auth import actor
from server.http import hub, json_body, json_response, query_args, status_ok
from webhooks.incoming import parse_payload

bp = Blueprint("hooks", __name__)


@bp.post("/api/v4/hooks/incoming")
def create_incoming_hook():
    body = json_body()
    return json_response(to_api(hub().webhooks.create(actor(), body)), 201)


@bp.get("/api/v4/hooks/incoming")
def list_incoming_hooks():
    return json_response([to_api(h) for h in hub().webhooks.list(actor(), query_args())])


@bp.get("/api/v4/hooks/incoming/<hook_id>")
def get_incoming_hook(hook_id: str):
    return json_response(to_api(hub().webhooks.get(actor(), hook_id)))


@bp.put("/api/v4/hooks/incoming/<hook_id>")
def update_incoming_hook(hook_id: str):
    body = json_body()
    return json_response(to_api(hub().webhooks.update(actor(), hook_id, body)))


@bp.delete("/api/v4/hooks/incoming/<hook_id>")
def delete_incoming_hook(hook_id: str):
    hub().webhooks.delete(actor(), hook_id)
    return status_ok()


def _limited_body() -> bytes:
    """At most MaximumPayloadSizeBytes are read: a larger body is refused, not buffered."""
    limit = hub().config["ServiceSettings"]["MaximumPayloadSizeBytes"]
    too_large = AppError(
        "api.context.request_body_too_large.app_error", "The request body is too large.", 413
    )
    if request.content_length is not None and request.content_length > limit:
        raise too_large
    body = request.stream.read(limit + 1)
    if len(body) > limit:
        raise too_large
    return body


@bp.post("/hooks/<hook_id>")
def post_to_incoming_hook(hook_id: str):
    message = parse_payload(_limited_body(), request.headers.get("Content-Type", ""))
    hub().webhooks.post(hook_id, message)
    return Response("ok", status=200, mimetype="text/plain")
