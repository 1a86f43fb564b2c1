"""Outgoing webhooks: management under /api/v4/hooks/outgoing, with the delivery log, redelivery and a
test delivery."""

from __future__ import annotations

from flask import Blueprint

from server.auth import actor
from server.http import hub, json_body, json_response, query_args, status_ok
from webhooks import outgoing
from webhooks.outgoing.service import to_api, to_api_with_signing_secret

bp = Blueprint("outgoing_hooks", __name__)


@bp.post("/api/v4/hooks/outgoing")
def create_outgoing_hook():
    body = json_body()
    created = outgoing.service(hub()).create(actor(), body)
    return json_response(to_api_with_signing_secret(created), 201)


@bp.get("/api/v4/hooks/outgoing")
def list_outgoing_hooks():
    hooks = outgoing.service(hub()).list(actor(), query_args())
    return json_response([to_api(h) for h in hooks])


@bp.get("/api/v4/hooks/outgoing/<hook_id>")
def get_outgoing_hook(hook_id: str):
    return json_response(to_api(outgoing.service(hub()).get(actor(), hook_id)))


@bp.put("/api/v4/hooks/outgoing/<hook_id>")
def update_outgoing_hook(hook_id: str):
    body = json_body()
    return json_response(to_api(outgoing.service(hub()).update(actor(), hook_id, body)))


@bp.post("/api/v4/hooks/outgoing/<hook_id>/regen_token")
def regenerate_outgoing_hook_token(hook_id: str):
    return json_response(to_api(outgoing.service(hub()).regenerate_token(actor(), hook_id)))


@bp.post("/api/v4/hooks/outgoing/<hook_id>/regen_signing_secret")
def regenerate_outgoing_hook_signing_secret(hook_id: str):
    hook = outgoing.service(hub()).regenerate_signing_secret(actor(), hook_id)
    return json_response(to_api_with_signing_secret(hook))


@bp.delete("/api/v4/hooks/outgoing/<hook_id>")
def delete_outgoing_hook(hook_id: str):
    outgoing.service(hub()).delete(actor(), hook_id)
    return status_ok()


@bp.get("/api/v4/hooks/outgoing/<hook_id>/deliveries")
def outgoing_hook_deliveries(hook_id: str):
    return json_response(outgoing.service(hub()).deliveries(actor(), hook_id, query_args()))


@bp.post("/api/v4/hooks/outgoing/<hook_id>/deliveries/<delivery_id>/redeliver")
def redeliver_outgoing_hook_delivery(hook_id: str, delivery_id: str):
    return json_response(outgoing.service(hub()).redeliver(actor(), hook_id, delivery_id))


@bp.post("/api/v4/hooks/outgoing/<hook_id>/test")
def test_outgoing_hook(hook_id: str):
    return json_response(outgoing.service(hub()).send_test(actor(), hook_id), 201)
