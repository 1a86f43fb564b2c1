"""Every API route, fed malformed ids and bodies, answers a 4xx AppError (or 501 for a disabled
feature, as Mattermost does) and never a 500."""

import re

import pytest

from hub.ids import new_id
from tests.fixtures import assert_app_error
from webhooks import incoming

WRONG_TYPES = {
    "channel_id": 5,
    "team_id": [],
    "user_id": {},
    "post_id": 1.5,
    "root_id": 7,
    "message": ["x"],
    "name": 3,
    "display_name": None,
    "type": 9,
    "file_ids": "abc",
    "props": "x",
    "emoji_name": 1,
    "terms": 4,
    "page": "x",
    "per_page": {},
    "login_id": [],
    "password": 1,
    "description": 2,
    "token_id": [],
    "session_id": 8,
    "roles": 1,
    "active": "yes",
    "status": 3,
    "category": 1,
    "value": [],
    "trigger": 5,
    "url": [],
    "method": 1,
    "command": {},
    "callback_urls": "x",
    "trigger_words": 5,
    "trigger_when": "x",
    "content_type": 4,
    "event_filter": "all",
    "adapter": 3,
    "secret": [],
    "channel_locked": "no",
    "auto_complete": "yes",
    "metadata": [],
    "creator_id": 5,
    "disabled_reason": 2,
    "allow_inactive": "yes",
    "allow_open_invite": "no",
    "allowed_domains": [],
    "attachments": "x",
    "bot_description": [],
    "cancelled": "no",
    "company_name": {},
    "cookie": 5,
    "create_at": "now",
    "current_password": [],
    "device_id": 7,
    "dialog": "x",
    "dnd_end_time": "soon",
    "email": [],
    "exclude": 1,
    "first_name": {},
    "header": [],
    "id": 8,
    "include": "x",
    "last_name": 2,
    "limit": "many",
    "locale": [],
    "new_password": {},
    "nickname": 1,
    "notify_props": "all",
    "parent_id": {},
    "pending_post_id": 3,
    "position": [],
    "post": "x",
    "priority": "high",
    "purpose": {},
    "selected_option": [],
    "submission": "x",
    "term": {},
    "timezone": "UTC",
    "token": [],
    "trigger_id": 6,
    "user_ids": "abc",
    "username": {},
    "fields": "x",
}
BODIES = [None, "{broken", "[]", "null", "12", '"text"', WRONG_TYPES, [WRONG_TYPES], [1, "a", None]]
_VARIABLE = re.compile(r"<(?:\w+:)?(\w+)>")


def _api_routes(app):
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v4/"):
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield method, rule.rule


def _fill(rule: str, value: str) -> str:
    return _VARIABLE.sub(value, rule)


@pytest.mark.parametrize("as_admin", [True, False], ids=["admin", "member"])
def test_no_route_answers_500_for_bad_input(app, api, admin, make_account, as_admin):
    member = make_account("plainuser")
    client = api.as_(admin if as_admin else member)
    routes = list(_api_routes(app))
    assert len(routes) > 20
    failures = []
    for method, rule in routes:
        for path_value in ("not-an-id", new_id(), "me"):
            path = _fill(rule, path_value)
            for body in BODIES if method in ("POST", "PUT") else [None]:
                kwargs = {}
                if isinstance(body, str):
                    kwargs = {"data": body, "headers": {"Content-Type": "application/json"}}
                elif body is not None:
                    kwargs = {"json": body}
                response = client.request(method, path, **kwargs)
                if response.status_code >= 500 and response.status_code != 501:
                    failures.append(
                        f"{method} {path} {body!r:.60} -> {response.status_code} {response.get_data(as_text=True)[:200]}"
                    )
                elif response.status_code >= 400:
                    error = response.get_json()
                    if not error or "id" not in error or error.get("status_code") != response.status_code:
                        failures.append(
                            f"{method} {path}: not an AppError body: {response.get_data(as_text=True)[:200]}"
                        )
    assert not failures, "\n".join(failures[:40])


# Input no parser may let through to storage or to other clients: each nasty body also holds every field
# name of WRONG_TYPES, so that the field a route reads first is the nasty one.
_FIELDS = ", ".join(f'"{name}": %s' for name in WRONG_TYPES)
NASTY_BODIES = {
    "deep nesting": "[" * 50_000 + "]" * 50_000,
    "deep nesting in a field": "{" + _FIELDS % tuple(["[" * 5_000 + "]" * 5_000] * len(WRONG_TYPES)) + "}",
    "lone surrogates": "{" + _FIELDS % tuple(['"a\\ud800b"'] * len(WRONG_TYPES)) + "}",
    "NUL": "{" + _FIELDS % tuple(['"a\\u0000b"'] * len(WRONG_TYPES)) + "}",
    "huge integers": "{" + _FIELDS % tuple(["9" * 40] * len(WRONG_TYPES)) + "}",
    "past int64": "{" + _FIELDS % tuple(["9223372036854775808"] * len(WRONG_TYPES)) + "}",
    "NaN": "{" + _FIELDS % tuple(["NaN"] * len(WRONG_TYPES)) + "}",
    "Infinity": "{" + _FIELDS % tuple(["-Infinity"] * len(WRONG_TYPES)) + "}",
    "overflowing float": "{" + _FIELDS % tuple(["1e400"] * len(WRONG_TYPES)) + "}",
    "not UTF-8": b'{"message": "\xff\xfe"}',
}
NASTY_QUERY = (
    "?page=99999999999999999999999&per_page=1e400&since=-1&limit=%00&term=a%00b&name=%ED%A0%80"
    "&in_channel=%00&in_team=x&fromCreateAt=9223372036854775808&perPage=NaN&before=%00&after=%FF"
)
# Routes whose bodies may be large (file uploads stream to disk, up to FileSettings.MaxFileSize).
_LARGE_BODY_ROUTES = {"/api/v4/files"}


def _all_routes(app):
    """Every route a client can call, /hooks/* included (static files and the socket upgrade aside)."""
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/static/") or rule.rule == "/api/v4/websocket":
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield method, rule.rule


class EndlessBody:
    """A chunked request body that never ends, counting what the server reads of it."""

    def __init__(self) -> None:
        self.read_bytes = 0

    def read(self, size: int = -1) -> bytes:
        size = 65536 if size is None or size < 0 else min(size, 65536)
        self.read_bytes += size
        return b"{" * size

    def readline(self, size: int = -1) -> bytes:
        return self.read(size)


def _answer_problem(response) -> str | None:
    if response.status_code >= 500 and response.status_code != 501:
        return f"{response.status_code} {response.get_data(as_text=True)[:200]}"
    if response.status_code >= 400:
        error = response.get_json(silent=True)
        if not error or "id" not in error or error.get("status_code") != response.status_code:
            return f"not an AppError body: {response.get_data(as_text=True)[:200]}"
    return None


@pytest.fixture
def hook_id(hub, room):
    """A real incoming hook, so that /hooks/* routes get as far as parsing what was sent."""
    from hub.permissions import Actor

    return (
        incoming.service(hub).create(Actor(room.owner.id, "system_user"), {"channel_id": room.channel_id}).id
    )


@pytest.mark.parametrize("who", ["admin", "nobody"])
def test_nasty_bodies_and_queries_get_app_errors_on_every_route(app, api, admin, room, hook_id, caplog, who):
    client = api.as_(admin if who == "admin" else None)
    failures = []
    for method, rule in _all_routes(app):
        for path_value in (hook_id if rule.startswith("/hooks/") else room.channel_id, "me"):
            path = _fill(rule, path_value)
            for name, body in NASTY_BODIES.items() if method in ("POST", "PUT") else []:
                response = client.request(
                    method, path, data=body, headers={"Content-Type": "application/json"}
                )
                problem = _answer_problem(response)
                if problem:
                    failures.append(f"{method} {path} {name}: {problem}")
            problem = _answer_problem(client.request(method, path + NASTY_QUERY))
            if problem:
                failures.append(f"{method} {path} with the nasty query: {problem}")
    tracebacks = [r.getMessage() for r in caplog.records if r.exc_info]
    assert not failures, "\n".join(failures[:40])
    assert not tracebacks, "\n".join(tracebacks[:10])


def test_every_route_stops_reading_a_chunked_body_at_the_cap(app, hub, admin, room, hook_id, caplog):
    limit = hub.config["ServiceSettings"]["MaximumPayloadSizeBytes"]
    failures = []
    for method, rule in _all_routes(app):
        if method not in ("POST", "PUT"):
            continue
        path = _fill(rule, hook_id if rule.startswith("/hooks/") else room.channel_id)
        # gunicorn passes a chunked body as a stream without Content-Length, marked as terminated.
        body = EndlessBody()
        response = app.test_client().open(
            path,
            method=method,
            headers={"Authorization": f"Bearer {admin.token}", "Content-Type": "application/json"},
            environ_overrides={"wsgi.input": body, "wsgi.input_terminated": True, "CONTENT_LENGTH": ""},
        )
        problem = _answer_problem(response)
        if problem:
            failures.append(f"{method} {path}: {problem}")
        if rule not in _LARGE_BODY_ROUTES and body.read_bytes > limit + 65536:
            failures.append(f"{method} {path} read {body.read_bytes} bytes of a chunked body (cap {limit})")
    assert not failures, "\n".join(failures[:40])
    assert not [r for r in caplog.records if r.exc_info]


def test_nasty_socket_frames_get_fail_replies_and_the_socket_lives(ws_connect, admin, caplog):
    client = ws_connect(admin)
    frames = [
        '{"seq": 1, "action": "user_typing", "data": ' + "[" * 30_000 + "]" * 30_000 + "}",
        '{"seq": 2, "action": "user_typing", "data": {"channel_id": "a\\ud800"}}',
        '{"seq": 3, "action": "user_typing", "data": {"channel_id": "a\\u0000"}}',
        '{"seq": 4, "action": "get_statuses_by_ids", "data": {"user_ids": [NaN]}}',
        '{"seq": 99999999999999999999999, "action": "ping"}',
        '{"seq": 6, "action": "user_typing", "data": {"channel_id": 1e400, "parent_id": 5}}',
        '{"seq": 7, "action": "get_statuses_by_ids", "data": {"user_ids": "x"}}',
        "\xff not json",
    ]
    for frame in frames:
        client.ws.send(frame)
    while len(client.replies) < len(frames):
        assert client._receive(5) is not None, (
            f"only {len(client.replies)} replies to {len(frames)} bad frames"
        )
    assert all(reply["status"] == "FAIL" for reply in client.replies), client.replies
    assert client.action("ping")["status"] == "OK"
    assert not [r for r in caplog.records if r.exc_info]


# Mattermost's APIHandler routes: no session needed. Every other API route authenticates first.
PUBLIC_ROUTES = {
    ("POST", "/api/v4/users/login"),
    ("POST", "/api/v4/users/logout"),
    ("POST", "/api/v4/users"),
    ("GET", "/api/v4/system/ping"),
    ("GET", "/api/v4/config/client"),
    ("POST", "/api/v4/actions/dialogs/open"),
    ("GET", "/api/v4/websocket"),
}


@pytest.mark.parametrize("body", ["{broken", "[]", '{"a": 1}'], ids=["broken", "array", "object"])
def test_without_a_session_every_route_answers_401_before_reading_its_body(app, api, body):
    routes = list(_api_routes(app))
    answered = {}
    for method, rule in routes:
        response = api.request(
            method, _fill(rule, new_id()), data=body, headers={"Content-Type": "application/json"}
        )
        answered[(method, rule)] = response.status_code
    not_401 = {route for route, status in answered.items() if status != 401}
    assert not_401 == PUBLIC_ROUTES, sorted(not_401 ^ PUBLIC_ROUTES)


@pytest.mark.databases("sqlite")
def test_a_database_that_refuses_connections_answers_503_to_try_again(api, room, hub, monkeypatch):
    """Not a 500: the request was fine, the database is down or out of connections (PostgreSQL's
    "too many clients"), and the client may send it again."""
    from sqlalchemy.exc import OperationalError

    def refused(*_args, **_kwargs):
        raise OperationalError("connect", {}, Exception("FATAL: sorry, too many clients already"))

    monkeypatch.setattr(hub.posts, "create", refused)
    answer = api.as_(room.member).post("posts", json={"channel_id": room.channel_id, "message": "hi"})
    body = assert_app_error(answer, 503, "app.store.unavailable.app_error")
    assert answer.headers["Retry-After"] == "1" and body["detailed_error"] == "OperationalError"
