"""Request parsing and answer helpers shared by every blueprint."""

from __future__ import annotations

from typing import IO, Any

from flask import Response, current_app, request

from hub import jsonsafe
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


def body_too_large(detail: str = "") -> AppError:
    return AppError(
        "api.context.request_body_too_large.app_error", "The request body is too large.", 413, detail
    )


def capped_body(limit: int | None = None) -> bytes:
    """The request body, read as it streams and refused past `limit` bytes (MaximumPayloadSizeBytes).

    A chunked body has no Content-Length to check first; reading at most limit + 1 bytes keeps a sender
    from making the worker buffer anything larger, however long it keeps sending.
    """
    if limit is None:
        limit = hub().config["ServiceSettings"]["MaximumPayloadSizeBytes"]
    if request.content_length is not None and request.content_length > limit:
        raise body_too_large(f"{request.content_length} bytes is more than {limit}")
    # A stream may answer a read with fewer bytes than asked before its end.
    parts, received = [], 0
    while received <= limit:
        part = request.stream.read(limit + 1 - received)
        if not part:
            break
        parts.append(part)
        received += len(part)
    if received > limit:
        raise body_too_large(f"more than {limit} bytes")
    return b"".join(parts)


def json_body(expected: type = dict, *, optional: bool = False) -> Any:
    """The request body as JSON of the expected type, or a 400 that says what is wrong."""
    raw = capped_body()
    if not raw.strip():
        if optional:
            return expected()
        raise invalid_body("the body is empty")
    try:
        data = jsonsafe.loads(raw)
    except ValueError as exc:  # UnicodeDecodeError and UnsafeJson included
        raise invalid_body(f"the body is not valid JSON: {exc}") from None
    if not isinstance(data, expected):
        raise invalid_body(f"expected a JSON {expected.__name__ if expected is not dict else 'object'}")
    return data


def json_response(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    # Not jsonify: clients compare the Content-Type string exactly.
    response = Response(jsonsafe.dumps(data), status=status, mimetype="application/json")
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def status_ok() -> Response:
    return json_response({"status": "OK"})


def query_args() -> dict[str, str]:
    return request.args.to_dict()


def multipart_file(field: str, error_prefix: str) -> IO[bytes]:
    """The multipart part `field` of an upload, as Mattermost's clients send images; refusals carry the
    ids of the route's `error_prefix` ("api.user.upload_profile_user")."""
    if request.mimetype != "multipart/form-data":
        raise AppError(
            f"{error_prefix}.parse.app_error",
            "Could not parse multipart form.",
            400,
            f"Content-Type is {request.mimetype or 'missing'}",
        )
    part = request.files.get(field)
    if part is None:
        raise AppError(f"{error_prefix}.no_file.app_error", f"No file under '{field}' in request.", 400)
    return part.stream


def revalidated(response: Response, etag: str) -> Response:
    """A response clients keep and revalidate by its ETag: 304 while it still matches."""
    response.set_etag(etag)
    response.make_conditional(request.environ)
    # The WSGI server writes its own Date header; a second one would make the answer malformed.
    del response.headers["Date"]
    return response
