"""The shapes of Mattermost's answers the client returns, as typed dictionaries (only the common fields are
named; every other field of the answer is there too)."""

from __future__ import annotations

from typing import Any, TypedDict


class User(TypedDict, total=False):
    id: str
    username: str
    email: str
    first_name: str
    last_name: str
    nickname: str
    roles: str
    is_bot: bool
    delete_at: int


class Team(TypedDict, total=False):
    id: str
    name: str
    display_name: str
    type: str


class Channel(TypedDict, total=False):
    id: str
    team_id: str
    type: str
    name: str
    display_name: str
    header: str
    purpose: str
    last_post_at: int


class Post(TypedDict, total=False):
    id: str
    create_at: int
    update_at: int
    edit_at: int
    delete_at: int
    user_id: str
    channel_id: str
    root_id: str
    message: str
    type: str
    props: dict[str, Any]
    file_ids: list[str]
    pending_post_id: str
    metadata: dict[str, Any]


class PostList(TypedDict, total=False):
    order: list[str]
    posts: dict[str, Post]
    next_post_id: str
    prev_post_id: str
    has_next: bool


class FileInfo(TypedDict, total=False):
    id: str
    name: str
    extension: str
    size: int
    mime_type: str


class Bot(TypedDict, total=False):
    user_id: str
    username: str
    display_name: str
    description: str
    owner_id: str
    delete_at: int


class Token(TypedDict, total=False):
    id: str
    token: str
    user_id: str
    description: str
    is_active: bool
