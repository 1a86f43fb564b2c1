"""Who is calling: the Authorization header, an access_token parameter, or the session cookie."""

from __future__ import annotations

from collections.abc import Callable

from flask import current_app, g, request

from hub.errors import AppError, unauthorized
from hub.permissions import Actor
from hub.security import same
from server.http import hub

SESSION_COOKIE = "MMAUTHTOKEN"
USER_COOKIE = "MMUSERID"
CSRF_COOKIE = "MMCSRF"
_SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def token_from_request() -> tuple[str, bool]:
    """The token and whether it came from a cookie (which brings the CSRF rules)."""
    header = request.headers.get("Authorization", "")
    if header:
        scheme, _, value = header.strip().partition(" ")
        if scheme.lower() in ("bearer", "token") and value.strip():
            return value.strip(), False
    token = request.args.get("access_token", "")
    if token:
        return token, False
    return request.cookies.get(SESSION_COOKIE, ""), True


def actor() -> Actor:
    """The authenticated caller of this request, or a 401."""
    if "actor" in g:
        return g.actor
    token, from_cookie = token_from_request()
    if not token:
        raise unauthorized("no token in the request")
    found, session = hub().auth.resolve(token)
    if from_cookie and request.method not in _SAFE_METHODS:
        expected = (session.props or {}).get("csrf", "") if session else ""
        sent = request.headers.get("X-CSRF-Token", "")
        if (
            not (expected and sent and same(sent, expected))
            and request.headers.get("X-Requested-With", "") != "XMLHttpRequest"
        ):
            raise AppError(
                "api.context.session_expired.app_error",
                "Invalid or expired session, please login again.",
                401,
                "CSRF check failed: send X-CSRF-Token or X-Requested-With with cookie sessions",
            )
    g.actor = found
    if request.headers.get("X-Requested-With") == "XMLHttpRequest":
        # Like Mattermost, only the web app's own requests show that a person is at the keyboard.
        hub().statuses.record_activity(found.user_id)
    return found


def optional_actor() -> Actor | None:
    token, _ = token_from_request()
    return actor() if token else None


def session_actor() -> Actor | None:
    """The caller of a route that needs no session (Mattermost's APIHandler): None without a token, and
    for a stale, unknown or revoked one (or a cookie without its CSRF header) too."""
    try:
        return optional_actor()
    except AppError as refused:
        if refused.status_code != 401:
            raise
        return None


def public(view: Callable) -> Callable:
    """Marks an API route that needs no session (Mattermost's APIHandler): sign-in, sign-up, ping, the
    client configuration, dialogs opened by integrations. Every other API route authenticates before it
    reads anything of the request (authenticate_first)."""
    view.hubbub_public = True  # type: ignore[attr-defined]
    return view


def authenticate_first() -> None:
    """The API blueprints' first step: a route under /api/v4 that is not public answers 401 to a request
    without a valid session before its body is read, so that bad input never tells more than that."""
    view = current_app.view_functions.get(request.endpoint or "")
    if request.path.startswith("/api/v4/") and view is not None and not getattr(view, "hubbub_public", False):
        actor()
