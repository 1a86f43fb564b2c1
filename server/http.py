"""Request parsing and answer helpers shared by every blueprint."""

from __future__ import annotations

import json
from typing import Any

from flask import Response, current_app, request

from hub.errors import AppError
from hub.services import Hub


def hub() -> Hub:
    return current_app.extensions["hub"]


def invalid_body(detail: str) -> AppError:
    return AppError(
        "api.context.invalid_body_param.app_error",
        "Invalid or missing body in request.",
        400,
        detail,
    )


def json_body(expected: type = dict, *, optional: bool = False) -> Any:
    """The request body as JSON of the expected type, or a 400 that says what is wrong."""
    limit = hub().config["ServiceSettings"]["MaximumPayloadSizeBytes"]
    if request.content_length is not None and request.content_length > limit:
        raise AppError(
            "api.context.request_body_too_large.app_error",
            "The request body is too large.",
            413,
            f"{request.content_length} bytes is more than {limit}",
        )
    raw = request.get_data(cache=True)
    if len(raw) > limit:
        raise AppError("api.context.request_body_too_large.app_error", "The request body is too large.", 413)
    if not raw.strip():
        if optional:
            return expected()
        raise invalid_body("the body is empty")
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise invalid_body(f"the body is not valid JSON: {exc}") from None
    if not isinstance(data, expected):
        raise invalid_body(f"expected a JSON {expected.__name__ if expected is not dict else 'object'}")
    return data


def json_response(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    # json.dumps rather than jsonify: clients compare the Content-Type string exactly.
    response = Response(json.dumps(data, separators=(",", ":")), status=status, mimetype="application/json")
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def status_ok() -> Response:
    return json_response({"status": "OK"})


def query_args() -> dict[str, str]:
    return request.args.to_dict()
