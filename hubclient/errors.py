"""The one error of the client: a Mattermost AppError answer, or a connection that cannot be made."""

from __future__ import annotations

from typing import Any


class ApiError(Exception):
    """A refusal from the server, with Mattermost's AppError fields (`id` "" when the body was not one)."""

    def __init__(
        self,
        status_code: int,
        error_id: str,
        message: str,
        detailed_error: str = "",
        request_id: str = "",
        retry_after: float | None = None,
    ) -> None:
        super().__init__(f"{status_code} {error_id}: {message}" if error_id else f"{status_code}: {message}")
        self.status_code = status_code
        self.id = error_id
        self.message = message
        self.detailed_error = detailed_error
        self.request_id = request_id
        self.retry_after = retry_after

    @classmethod
    def from_answer(cls, status_code: int, body: Any, text: str, headers: Any) -> ApiError:
        retry_after = _seconds(headers.get("Retry-After"))
        if isinstance(body, dict) and isinstance(body.get("id"), str):
            return cls(
                status_code,
                body["id"],
                str(body.get("message", "")),
                str(body.get("detailed_error", "")),
                str(body.get("request_id", "")),
                retry_after,
            )
        return cls(status_code, "", text[:500] or f"HTTP {status_code}", retry_after=retry_after)


class StreamClosed(Exception):
    """The event stream ended for good: closed by its owner, or refused by the server (a bad token)."""

    def __init__(self, code: int, reason: str) -> None:
        super().__init__(f"{code} {reason}".strip())
        self.code = code
        self.reason = reason


def _seconds(value: Any) -> float | None:
    try:
        return max(0.0, float(value))
    except (TypeError, ValueError):
        return None
