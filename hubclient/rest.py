"""The REST v4 client, synchronous, on requests. It speaks only Mattermost's API, so it works against
Mattermost as against Hubbub."""

from __future__ import annotations

import time
from typing import IO, Any
from urllib.parse import quote

import requests

from hubclient.errors import ApiError
from hubclient.events import EventStream
from hubclient.shapes import Bot, Channel, FileInfo, Post, PostList, Team, Token, User

# A 429 is waited out this many times (for its Retry-After, at most MAX_RETRY_WAIT seconds) before it is raised.
RETRIES_ON_429 = 3
MAX_RETRY_WAIT = 30.0


class Client:
    """A REST v4 client for one server and one token (a session's or a personal access token).

    `url` is the site's address (`http://localhost:8065`); calls raise ApiError for every refusal."""

    def __init__(
        self, url: str, token: str = "", *, timeout: float = 30.0, http: requests.Session | None = None
    ) -> None:
        self.url = url.rstrip("/")
        self.token = token
        self.timeout = timeout
        self.http = http or requests.Session()
        self.user_id = ""

    # ---- the one request ----------------------------------------------------------------
    def request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: dict[str, Any] | None = None,
        files: Any = None,
        data: Any = None,
        raw: bool = False,
    ) -> Any:
        """`path` is under /api/v4 ("users/me"). Answers the decoded JSON (None for an empty body), or the
        response itself with `raw`."""
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        address = f"{self.url}/api/v4/{path.lstrip('/')}"
        for attempt in range(RETRIES_ON_429 + 1):
            response = self.http.request(
                method,
                address,
                json=json,
                params=params,
                files=files,
                data=data,
                headers=headers,
                timeout=self.timeout,
            )
            if response.status_code == 429 and attempt < RETRIES_ON_429:
                error = _error(response)
                time.sleep(min(MAX_RETRY_WAIT, error.retry_after if error.retry_after is not None else 1.0))
                continue
            if response.status_code >= 400:
                raise _error(response)
            if raw:
                return response
            return response.json() if response.content else None
        raise AssertionError("unreachable: the last attempt answers or raises")

    # ---- sessions -------------------------------------------------------------------------
    def login(self, login_id: str, password: str, *, mfa_token: str = "") -> User:
        """Signs in with a password; the session token replaces the client's token."""
        body = {"login_id": login_id, "password": password}
        if mfa_token:
            body["token"] = mfa_token
        response = self.request("POST", "users/login", json=body, raw=True)
        self.token = response.headers.get("Token", "")
        user: User = response.json()
        self.user_id = user["id"]
        return user

    def logout(self) -> None:
        self.request("POST", "users/logout")
        self.token = ""

    # ---- users ----------------------------------------------------------------------------
    def me(self) -> User:
        user: User = self.request("GET", "users/me")
        self.user_id = user["id"]
        return user

    def get_user(self, user_id: str) -> User:
        return self.request("GET", f"users/{_segment(user_id)}")

    def get_user_by_username(self, username: str) -> User:
        return self.request("GET", f"users/username/{_segment(username)}")

    def get_users_by_ids(self, user_ids: list[str]) -> list[User]:
        return self.request("POST", "users/ids", json=user_ids)

    def create_token(self, user_id: str, description: str) -> Token:
        """A personal access token (or a bot's); its `token` is answered this once."""
        return self.request("POST", f"users/{_segment(user_id)}/tokens", json={"description": description})

    # ---- bots -----------------------------------------------------------------------------
    def create_bot(self, username: str, *, display_name: str = "", description: str = "") -> Bot:
        return self.request(
            "POST",
            "bots",
            json={"username": username, "display_name": display_name, "description": description},
        )

    def get_bots(self, *, include_deleted: bool = False, page: int = 0, per_page: int = 60) -> list[Bot]:
        params = {"include_deleted": str(include_deleted).lower(), "page": page, "per_page": per_page}
        return self.request("GET", "bots", params=params)

    # ---- teams and channels ---------------------------------------------------------------
    def get_team_by_name(self, name: str) -> Team:
        return self.request("GET", f"teams/name/{_segment(name)}")

    def add_team_member(self, team_id: str, user_id: str) -> dict[str, Any]:
        return self.request(
            "POST", f"teams/{_segment(team_id)}/members", json={"team_id": team_id, "user_id": user_id}
        )

    def get_channel(self, channel_id: str) -> Channel:
        return self.request("GET", f"channels/{_segment(channel_id)}")

    def get_channel_by_name(self, team_name: str, channel_name: str) -> Channel:
        return self.request("GET", f"teams/name/{_segment(team_name)}/channels/name/{_segment(channel_name)}")

    def my_channels(self, team_id: str) -> list[Channel]:
        return self.request("GET", f"users/me/teams/{_segment(team_id)}/channels")

    def create_channel(self, team_id: str, name: str, display_name: str, *, private: bool = False) -> Channel:
        body = {
            "team_id": team_id,
            "name": name,
            "display_name": display_name,
            "type": "P" if private else "O",
        }
        return self.request("POST", "channels", json=body)

    def add_channel_member(self, channel_id: str, user_id: str) -> dict[str, Any]:
        return self.request("POST", f"channels/{_segment(channel_id)}/members", json={"user_id": user_id})

    def direct_channel(self, user_id: str, other_user_id: str) -> Channel:
        return self.request("POST", "channels/direct", json=[user_id, other_user_id])

    # ---- posts ----------------------------------------------------------------------------
    def create_post(
        self,
        channel_id: str,
        message: str,
        *,
        root_id: str = "",
        props: dict[str, Any] | None = None,
        file_ids: list[str] | None = None,
        pending_post_id: str = "",
    ) -> Post:
        """`pending_post_id` makes a retry of the same post safe: the server answers the first one."""
        body: dict[str, Any] = {"channel_id": channel_id, "message": message}
        for key, value in (
            ("root_id", root_id),
            ("props", props),
            ("file_ids", file_ids),
            ("pending_post_id", pending_post_id),
        ):
            if value:
                body[key] = value
        return self.request("POST", "posts", json=body)

    def get_post(self, post_id: str) -> Post:
        return self.request("GET", f"posts/{_segment(post_id)}")

    def patch_post(self, post_id: str, **fields: Any) -> Post:
        return self.request("PUT", f"posts/{_segment(post_id)}/patch", json=fields)

    def delete_post(self, post_id: str) -> None:
        self.request("DELETE", f"posts/{_segment(post_id)}")

    def get_posts(
        self, channel_id: str, *, since: int | None = None, page: int = 0, per_page: int = 60
    ) -> PostList:
        """A page of the channel's posts, newest first; with `since` (ms), every post changed after it."""
        params: dict[str, Any] = (
            {"since": since} if since is not None else {"page": page, "per_page": per_page}
        )
        return self.request("GET", f"channels/{_segment(channel_id)}/posts", params=params)

    def get_thread(self, post_id: str) -> PostList:
        return self.request("GET", f"posts/{_segment(post_id)}/thread")

    def add_reaction(self, post_id: str, emoji_name: str) -> dict[str, Any]:
        user_id = self.user_id or self.me()["id"]
        return self.request(
            "POST", "reactions", json={"user_id": user_id, "post_id": post_id, "emoji_name": emoji_name}
        )

    def remove_reaction(self, post_id: str, emoji_name: str) -> None:
        user_id = self.user_id or self.me()["id"]
        self.request(
            "DELETE", f"users/{_segment(user_id)}/posts/{_segment(post_id)}/reactions/{_segment(emoji_name)}"
        )

    # ---- files ----------------------------------------------------------------------------
    def upload_file(self, channel_id: str, filename: str, content: bytes | IO[bytes]) -> FileInfo:
        answer = self.request(
            "POST", "files", data={"channel_id": channel_id}, files={"files": (filename, content)}
        )
        infos: list[FileInfo] = answer["file_infos"]
        return infos[0]

    def get_file(self, file_id: str) -> bytes:
        response = self.request("GET", f"files/{_segment(file_id)}", raw=True)
        content: bytes = response.content
        return content

    # ---- real time ------------------------------------------------------------------------
    def events(self, **options: Any) -> EventStream:
        """The WebSocket's events for this client's token (see EventStream for the options)."""
        return EventStream(self.url, self.token, **options)


def _segment(value: str) -> str:
    """A path segment: ids and names never carry a slash, and a stray one must not reach another route."""
    return quote(value, safe="")


def _error(response: requests.Response) -> ApiError:
    try:
        body = response.json()
    except ValueError:
        body = None
    return ApiError.from_answer(response.status_code, body, response.text, response.headers)
