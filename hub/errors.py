"""The one error type of Hubbub, shaped like Mattermost's AppError."""

from __future__ import annotations

from typing import Any


class AppError(Exception):
    """A failure a client can act on: a stable id, a user message, a developer detail, a status."""

    def __init__(
        self,
        error_id: str,
        message: str,
        status_code: int = 400,
        detailed_error: str = "",
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(f"{error_id}: {message}")
        self.id = error_id
        self.message = message
        self.status_code = status_code
        self.detailed_error = detailed_error
        self.headers = headers or {}

    def to_dict(self, request_id: str = "") -> dict[str, Any]:
        return {
            "id": self.id,
            "message": self.message,
            "detailed_error": self.detailed_error,
            "request_id": request_id,
            "status_code": self.status_code,
        }


def invalid_param(name: str, detail: str = "") -> AppError:
    return AppError(
        "api.context.invalid_param.app_error",
        f"Invalid or missing {name} in request.",
        400,
        detail,
    )


def not_found(what: str, detail: str = "") -> AppError:
    return AppError(f"app.{what}.get.app_error", f"Unable to find the {what}.", 404, detail)


def forbidden(detail: str = "") -> AppError:
    return AppError(
        "api.context.permissions.app_error",
        "You do not have the appropriate permissions.",
        403,
        detail,
    )


def unauthorized(detail: str = "") -> AppError:
    return AppError(
        "api.context.session_expired.app_error",
        "Invalid or expired session, please login again.",
        401,
        detail,
    )
