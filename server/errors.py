"""Every failure answers Mattermost's AppError JSON; nothing a client sends causes a 500 page."""

from __future__ import annotations

import logging

from flask import Flask, g
from sqlalchemy.exc import OperationalError, TimeoutError
from werkzeug.exceptions import HTTPException

from hub import jsonsafe
from hub.errors import AppError
from hub.ids import new_id
from server.http import json_response

logger = logging.getLogger(__name__)

_HTTP_IDS = {
    404: ("api.context.404.app_error", "Sorry, we could not find the page."),
    405: ("api.context.method_not_allowed.app_error", "The method is not allowed for this URL."),
    413: ("api.context.request_body_too_large.app_error", "The request body is too large."),
    400: ("api.context.invalid_body_param.app_error", "Invalid or missing body in request."),
    414: ("api.context.request_uri_too_long.app_error", "The request line is too long."),
    431: ("api.context.request_headers_too_large.app_error", "The request headers are too large."),
}
# Gunicorn's 400s are about the HTTP itself (request line, headers, framing), never about a body.
_PROTOCOL_IDS = {
    **_HTTP_IDS,
    400: ("api.context.invalid_request.app_error", "The request is not valid HTTP."),
}


def app_error_response(error: AppError):
    request_id = g.get("request_id", "")
    return json_response(error.to_dict(request_id), error.status_code, error.headers)


def protocol_error_response(status: int, reason: str, detail: str) -> bytes:
    """The raw HTTP answer for a request refused before it reached the app (gunicorn's request-line,
    header and framing checks), as AppError JSON like every other refusal."""
    error_id, message = _PROTOCOL_IDS.get(status, _PROTOCOL_IDS[400])
    body = jsonsafe.dumps(AppError(error_id, message, status, detail[:512]).to_dict(new_id())).encode()
    head = (
        f"HTTP/1.1 {status} {reason}\r\nConnection: close\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    )
    return head.encode("latin-1") + body


def register(app: Flask) -> None:
    app.register_error_handler(AppError, app_error_response)

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        code = exc.code or 500
        error_id, message = _HTTP_IDS.get(code, (f"api.context.http_{code}.app_error", exc.name))
        return app_error_response(AppError(error_id, message, code, exc.description or ""))

    @app.errorhandler(OperationalError)
    @app.errorhandler(TimeoutError)
    def database_unavailable(exc: Exception):
        # The database refused or dropped a connection, or the pool had none free in time: the server is
        # overloaded or the database is down, and the client may try again.
        logger.error("database unavailable in request %s: %s", g.get("request_id", ""), exc)
        unavailable = AppError(
            "app.store.unavailable.app_error",
            "The database is not answering; try again shortly.",
            503,
            type(exc).__name__,
            headers={"Retry-After": "1"},
        )
        return app_error_response(unavailable)

    @app.errorhandler(Exception)
    def unexpected(exc: Exception):
        logger.exception("unhandled error in request %s", g.get("request_id", ""))
        return app_error_response(
            AppError(
                "api.context.server_error.app_error",
                "An internal server error occurred.",
                500,
                type(exc).__name__,
            )
        )
