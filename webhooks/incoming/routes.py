"""Incoming webhooks: management under /api/v4/hooks/incoming; POST /hooks/{id} (and
/hooks/{id}/{adapter} for CI tools) for senders, who may also edit and delete what their hook posted."""

from __future__ import annotations

import io

from flask import Blueprint, Response, request
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.formparser import FormDataParser

from server.auth import actor
from server.http import capped_body, hub, json_body, json_response, query_args, status_ok
from webhooks import incoming
from webhooks.incoming.adapters import registry
from webhooks.incoming.payload import WebhookMessage, parse_error, parse_form_fields, parse_payload
from webhooks.incoming.service import Delivery, DeliveryResult, to_api

bp = Blueprint("incoming_hooks", __name__)


@bp.post("/api/v4/hooks/incoming")
def create_incoming_hook():
    body = json_body()
    return json_response(to_api(incoming.service(hub()).create(actor(), body)), 201)


@bp.get("/api/v4/hooks/incoming")
def list_incoming_hooks():
    return json_response([to_api(h) for h in incoming.service(hub()).list(actor(), query_args())])


@bp.get("/api/v4/hooks/incoming/<hook_id>")
def get_incoming_hook(hook_id: str):
    return json_response(to_api(incoming.service(hub()).get(actor(), hook_id)))


@bp.put("/api/v4/hooks/incoming/<hook_id>")
def update_incoming_hook(hook_id: str):
    body = json_body()
    return json_response(to_api(incoming.service(hub()).update(actor(), hook_id, body)))


@bp.delete("/api/v4/hooks/incoming/<hook_id>")
def delete_incoming_hook(hook_id: str):
    incoming.service(hub()).delete(actor(), hook_id)
    return status_ok()


def _delivery() -> Delivery:
    body = capped_body()
    form = None
    if request.mimetype == "multipart/form-data":
        parser = FormDataParser(max_form_memory_size=len(body) + 1)
        try:
            _, fields, _ = parser.parse(
                io.BytesIO(body), request.mimetype, len(body), request.mimetype_params
            )
        except RequestEntityTooLarge:
            raise parse_error("the multipart body could not be read") from None
        form = {name: fields[name] for name in fields}
    return Delivery(body=body, headers=request.headers, form=form)


def _wants_json() -> bool:
    """`?return=post`, or an Accept that names application/json (not a mere */*)."""
    return request.args.get("return") == "post" or any(
        mimetype == "application/json" for mimetype, _ in request.accept_mimetypes
    )


def _delivery_answer(result: DeliveryResult) -> Response:
    if _wants_json():
        if result.post is None:
            answer = json_response({"status": "skipped", "detail": result.skipped})
        else:
            answer = json_response(result.post.to_api())
    else:
        answer = Response("ok", status=200, mimetype="text/plain")
    if result.replayed:
        answer.headers["Idempotent-Replayed"] = "true"
    if result.skipped:
        # The reason may quote an event name from the payload, and a header value must be Latin-1
        # without line breaks (a WSGI server drops the connection otherwise).
        answer.headers["X-Hubbub-Skipped"] = result.skipped.encode("unicode_escape").decode("ascii")
    return answer


@bp.post("/hooks/<hook_id>")
def post_to_incoming_hook(hook_id: str):
    return _delivery_answer(incoming.service(hub()).receive(hook_id, _delivery()))


@bp.post("/hooks/<hook_id>/<adapter>")
def post_to_incoming_hook_adapter(hook_id: str, adapter: str):
    # The architecture notes' older spelling, /hooks/{adapter}/{id}, reaches the same place.
    if hook_id in registry() and adapter not in registry():
        hook_id, adapter = adapter, hook_id
    return _delivery_answer(incoming.service(hub()).receive(hook_id, _delivery(), adapter))


def _message() -> WebhookMessage:
    delivery = _delivery()
    if delivery.form is not None:
        return parse_form_fields(delivery.form)
    return parse_payload(delivery.body, request.headers.get("Content-Type", ""))


@bp.put("/hooks/<hook_id>/posts/<post_id>")
def update_incoming_hook_post(hook_id: str, post_id: str):
    return json_response(incoming.service(hub()).update_post(hook_id, post_id, _message()).to_api())


@bp.delete("/hooks/<hook_id>/posts/<post_id>")
def delete_incoming_hook_post(hook_id: str, post_id: str):
    incoming.service(hub()).delete_post(hook_id, post_id)
    return status_ok()
