"""Every failure answers Mattermost's AppError JSON; nothing a client sends causes a 500 page."""

from __future__ import annotations

import logging

from flask import Flask, g
from werkzeug.exceptions import HTTPException

from hub.errors import AppError
from server.http import json_response

logger = logging.getLogger(__name__)

_HTTP_IDS = {
    404: ("api.context.404.app_error", "Sorry, we could not find the page."),
    405: ("api.context.method_not_allowed.app_error", "The method is not allowed for this URL."),
    413: ("api.context.request_body_too_large.app_error", "The request body is too large."),
    400: ("api.context.invalid_body_param.app_error", "Invalid or missing body in request."),
}


def app_error_response(error: AppError):
    request_id = g.get("request_id", "")
    return json_response(error.to_dict(request_id), error.status_code, error.headers)


def register(app: Flask) -> None:
    app.register_error_handler(AppError, app_error_response)

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        code = exc.code or 500
        error_id, message = _HTTP_IDS.get(code, (f"api.context.http_{code}.app_error", exc.name))
        return app_error_response(AppError(error_id, message, code, exc.description or ""))

    @app.errorhandler(Exception)
    def unexpected(exc: Exception):
        logger.exception("unhandled error in request %s", g.get("request_id", ""))
        return app_error_response(
            AppError("api.context.server_error.app_error", "An internal server error occurred.", 500, type(exc).__name__)
        )
