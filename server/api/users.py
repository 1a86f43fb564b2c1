"""/api/v4/users: accounts, logins, sessions and personal access tokens."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, Response, request

from hub import serialize
from hub.errors import invalid_param
from server.auth import CSRF_COOKIE, SESSION_COOKIE, USER_COOKIE, actor, optional_actor, public, session_actor
from server.http import hub, json_body, json_response, multipart_file, query_args, revalidated, status_ok

bp = Blueprint("users", __name__, url_prefix="/api/v4/users")


def resolve_user_id(user_id: str) -> str:
    """'me' stands for the caller, in every /users/{user_id} route."""
    return actor().user_id if user_id == "me" else user_id


def users_answer(users) -> list[dict]:
    caller = actor()
    return [hub().users.to_api(caller, u) for u in users]


@bp.post("/login")
@public
def login():
    body = json_body()
    user, session, token = hub().auth.login(
        body.get("login_id"),
        body.get("password"),
        mfa_token=body.get("token"),
        device_id=body.get("device_id", ""),
        client_key=request.remote_addr or "",
    )
    response = json_response(serialize.user(user, full=True), headers={"Token": token})
    max_age = max(1, (session.expires_at - session.create_at) // 1000)
    secure = request.is_secure
    response.set_cookie(SESSION_COOKIE, token, max_age=max_age, httponly=True, secure=secure, samesite="Lax")
    response.set_cookie(USER_COOKIE, user.id, max_age=max_age, secure=secure, samesite="Lax")
    response.set_cookie(CSRF_COOKIE, session.props["csrf"], max_age=max_age, secure=secure, samesite="Lax")
    return response


@bp.post("/logout")
@public
def logout():
    # Mattermost answers OK to a token that is stale, unknown or revoked (or a cookie without its CSRF
    # header): there is no session to end then, and the cookies are cleared all the same.
    caller = session_actor()
    if caller is not None:
        hub().auth.logout(caller)
    response = status_ok()
    for name in (SESSION_COOKIE, USER_COOKIE, CSRF_COOKIE):
        response.delete_cookie(name)
    return response


@bp.post("")
@public
def create_user():
    caller = optional_actor()
    body = json_body()
    user = hub().users.create(caller, body)
    answer = hub().users.to_api(caller, user) if caller else serialize.user(user, full=True)
    return json_response(answer, 201)


@bp.get("")
def list_users():
    return json_response(users_answer(hub().users.list(actor(), query_args())))


@bp.post("/ids")
def users_by_ids():
    ids = json_body(list)
    actor()
    return json_response(users_answer(hub().users.by_ids(ids)))


@bp.post("/usernames")
def users_by_usernames():
    names = json_body(list)
    actor()
    return json_response(users_answer(hub().users.by_usernames(names)))


@bp.post("/search")
def search_users():
    return json_response(users_answer(hub().users.search(actor(), json_body())))


@bp.get("/autocomplete")
def autocomplete_users():
    found = hub().users.autocomplete(actor(), query_args())
    return json_response({key: users_answer(value) for key, value in found.items()})


@bp.get("/<user_id>")
def get_user(user_id: str):
    caller = actor()
    return json_response(hub().users.to_api(caller, hub().users.get(resolve_user_id(user_id))))


@bp.get("/username/<username>")
def get_user_by_username(username: str):
    caller = actor()
    return json_response(hub().users.to_api(caller, hub().users.by_username(username)))


@bp.get("/email/<email>")
def get_user_by_email(email: str):
    caller = actor()
    return json_response(hub().users.to_api(caller, hub().users.by_email(email)))


@bp.put("/<user_id>/patch")
def patch_user(user_id: str):
    body = json_body()
    caller = actor()
    return json_response(
        hub().users.to_api(caller, hub().users.patch(caller, resolve_user_id(user_id), body))
    )


@bp.put("/<user_id>")
def update_user(user_id: str):
    body = json_body()
    caller = actor()
    user_id = resolve_user_id(user_id)
    if body.get("id") not in (None, user_id):
        raise invalid_param("id", "the body's id differs from the URL's")
    return json_response(hub().users.to_api(caller, hub().users.patch(caller, user_id, body, replace=True)))


@bp.put("/<user_id>/password")
def update_password(user_id: str):
    body = json_body()
    hub().users.update_password(
        actor(), resolve_user_id(user_id), body.get("current_password"), body.get("new_password")
    )
    return status_ok()


@bp.put("/<user_id>/roles")
def update_roles(user_id: str):
    hub().users.update_roles(actor(), resolve_user_id(user_id), json_body().get("roles"))
    return status_ok()


@bp.put("/<user_id>/active")
def update_active(user_id: str):
    hub().users.set_active(actor(), resolve_user_id(user_id), json_body().get("active"))
    return status_ok()


@bp.delete("/<user_id>")
def deactivate_user(user_id: str):
    hub().users.set_active(actor(), resolve_user_id(user_id), False)
    return status_ok()


@bp.get("/<user_id>/sessions")
def user_sessions(user_id: str):
    sessions = hub().auth.sessions(actor(), resolve_user_id(user_id))
    return json_response([serialize.session(s) for s in sessions])


@bp.post("/<user_id>/sessions/revoke")
def revoke_session(user_id: str):
    hub().auth.revoke_session(actor(), resolve_user_id(user_id), json_body().get("session_id"))
    return status_ok()


@bp.post("/<user_id>/sessions/revoke/all")
def revoke_all_sessions(user_id: str):
    hub().auth.revoke_all_sessions(actor(), resolve_user_id(user_id))
    return status_ok()


@bp.post("/<user_id>/tokens")
def create_token(user_id: str):
    body = json_body()
    row, token = hub().auth.create_token(actor(), resolve_user_id(user_id), body.get("description"))
    return json_response(serialize.access_token(row, token))


@bp.get("/<user_id>/tokens")
def user_tokens(user_id: str):
    rows = hub().auth.tokens_of(
        actor(), resolve_user_id(user_id), request.args.get("page"), request.args.get("per_page")
    )
    return json_response([serialize.access_token(r) for r in rows])


@bp.get("/tokens")
def all_tokens():
    rows = hub().auth.all_tokens(actor(), request.args.get("page"), request.args.get("per_page"))
    return json_response([serialize.access_token(r) for r in rows])


@bp.get("/tokens/<token_id>")
def get_token(token_id: str):
    return json_response(serialize.access_token(hub().auth.get_token(actor(), token_id)))


@bp.post("/tokens/revoke")
def revoke_token():
    hub().auth.revoke_token(actor(), json_body().get("token_id"))
    return status_ok()


@bp.post("/tokens/disable")
def disable_token():
    hub().auth.set_token_active(actor(), json_body().get("token_id"), False)
    return status_ok()


@bp.post("/tokens/enable")
def enable_token():
    hub().auth.set_token_active(actor(), json_body().get("token_id"), True)
    return status_ok()


def _png(data: bytes, cache_seconds: int) -> Response:
    response = Response(data, mimetype="image/png")
    response.headers["Cache-Control"] = f"max-age={cache_seconds}, private"
    return response


@bp.get("/<user_id>/image")
def profile_image(user_id: str):
    """An uploaded image is kept a day by clients and revalidated by its ETag (last_picture_update, which
    clients also put in ?_= to skip a stale copy); the default one five minutes, as in Mattermost."""
    actor()
    image = hub().profile_images.get(resolve_user_id(user_id))
    if not image.uploaded:
        return _png(image.png, 5 * 60)
    response = _png(image.png, 24 * 60 * 60)
    response.last_modified = datetime.fromtimestamp(image.last_picture_update / 1000, UTC)
    return revalidated(response, str(image.last_picture_update))


@bp.get("/<user_id>/image/default")
def default_profile_image(user_id: str):
    actor()
    return _png(hub().profile_images.get_default(resolve_user_id(user_id)), 24 * 60 * 60)


@bp.post("/<user_id>/image")
def upload_profile_image(user_id: str):
    hub().profile_images.upload(
        actor(), resolve_user_id(user_id), lambda: multipart_file("image", "api.user.upload_profile_user")
    )
    return status_ok()


@bp.delete("/<user_id>/image")
def reset_profile_image(user_id: str):
    hub().profile_images.reset(actor(), resolve_user_id(user_id))
    return status_ok()
