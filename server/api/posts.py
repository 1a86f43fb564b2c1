"""/api/v4/posts, and the channel and user routes that answer posts."""

from __future__ import annotations

from flask import Blueprint, request

from hub import serialize
from hub.errors import invalid_param
from hub.markdown import posts as rendered_posts
from hub.services.posts import PostList, PostView
from server.api.users import resolve_user_id
from server.auth import actor
from server.http import hub, json_body, json_response, query_args, status_ok

bp = Blueprint("posts", __name__, url_prefix="/api/v4")


def post_answer(view: PostView) -> dict:
    """The post as Mattermost answers it; with `X-Hubbub-Render: html` (Hubbub's web client) also its
    rendered HTML in `metadata.hubbub_html`."""
    data = view.to_api()
    return rendered_posts.rendered(data) if request.headers.get("X-Hubbub-Render") == "html" else data


def post_list_answer(found: PostList) -> dict:
    return {
        "order": list(found.order),
        "posts": {view.post.id: post_answer(view) for view in found.posts},
        "next_post_id": found.next_post_id,
        "prev_post_id": found.prev_post_id,
        "has_next": found.has_next,
        "first_inaccessible_post_time": 0,
    }


@bp.post("/posts")
def create_post():
    caller = actor()
    return json_response(post_answer(hub().posts.create(caller, json_body())), 201)


@bp.post("/posts/ephemeral")
def create_ephemeral_post():
    caller = actor()
    return json_response(post_answer(hub().posts.ephemeral(caller, json_body())), 201)


@bp.post("/posts/ids")
def posts_by_ids():
    caller = actor()
    return json_response([post_answer(view) for view in hub().posts.by_ids(caller, json_body(list))])


@bp.get("/posts/<post_id>")
def get_post(post_id: str):
    return json_response(post_answer(hub().posts.get(actor(), post_id)))


@bp.put("/posts/<post_id>/patch")
def patch_post(post_id: str):
    caller = actor()
    return json_response(post_answer(hub().posts.patch(caller, post_id, json_body())))


@bp.put("/posts/<post_id>")
def update_post(post_id: str):
    caller = actor()
    body = json_body()
    if body.get("id") != post_id:
        raise invalid_param("id", "the body's id differs from the URL's")
    return json_response(post_answer(hub().posts.patch(caller, post_id, body, replace=True)))


@bp.delete("/posts/<post_id>")
def delete_post(post_id: str):
    hub().posts.delete(actor(), post_id)
    return status_ok()


@bp.get("/posts/<post_id>/thread")
def post_thread(post_id: str):
    return json_response(post_list_answer(hub().posts.thread(actor(), post_id, query_args())))


@bp.get("/posts/<post_id>/files/info")
def post_files(post_id: str):
    return json_response([serialize.file_info(f) for f in hub().posts.files(actor(), post_id)])


@bp.post("/posts/<post_id>/pin")
def pin_post(post_id: str):
    hub().posts.set_pinned(actor(), post_id, True)
    return status_ok()


@bp.post("/posts/<post_id>/unpin")
def unpin_post(post_id: str):
    hub().posts.set_pinned(actor(), post_id, False)
    return status_ok()


@bp.get("/channels/<channel_id>/posts")
def channel_posts(channel_id: str):
    return json_response(post_list_answer(hub().posts.for_channel(actor(), channel_id, query_args())))


@bp.get("/channels/<channel_id>/pinned")
def pinned_posts(channel_id: str):
    return json_response(post_list_answer(hub().posts.pinned(actor(), channel_id)))


@bp.get("/users/<user_id>/channels/<channel_id>/posts/unread")
def posts_around_last_unread(user_id: str, channel_id: str):
    caller = actor()
    found = hub().posts.around_last_unread(caller, resolve_user_id(user_id), channel_id, query_args())
    return json_response(post_list_answer(found))
