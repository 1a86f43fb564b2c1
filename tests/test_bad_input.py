"""Every API route, fed malformed ids and bodies, answers a 4xx AppError (or 501 for a disabled
feature, as Mattermost does) and never a 500."""

import re

import pytest

from hub.ids import new_id

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
                    failures.append(f"{method} {path} {body!r:.60} -> {response.status_code} {response.get_data(as_text=True)[:200]}")
                elif response.status_code >= 400:
                    error = response.get_json()
                    if not error or "id" not in error or error.get("status_code") != response.status_code:
                        failures.append(f"{method} {path}: not an AppError body: {response.get_data(as_text=True)[:200]}")
    assert not failures, "\n".join(failures[:40])
