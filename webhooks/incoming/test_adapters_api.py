"""CI adapters end to end: deliveries to /hooks/{id}/{adapter} (and to /hooks/{id} when the hook names its
adapter) become the adapter's rendered post; secrets, bad payloads, unhandled events, event filters and
delivery keys behave as documented; the Jenkins Mattermost plugin works as a plain incoming hook."""

from __future__ import annotations

import copy
import hashlib
import hmac
import json
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from tests.fixtures import assert_app_error
from webhooks.incoming.adapters import registry
from webhooks.incoming.test_incoming_webhooks import assert_ok, channel_posts, make_hook

ADAPTERS_DIR = Path(__file__).resolve().parent / "adapters"
SHARED_JENKINS = Path("/work/shared/fixtures/jenkins")
GITLAB_HEADERS = {
    "pipeline": {"X-Gitlab-Event": "Pipeline Hook"},
    "push": {"X-Gitlab-Event": "Push Hook"},
    "merge_request": {"X-Gitlab-Event": "Merge Request Hook"},
}
SECRET = "s3cret-token"


def fixture(adapter: str, name: str) -> dict[str, Any]:
    return json.loads((ADAPTERS_DIR / adapter / "fixtures" / f"{name}.json").read_text())


def rendered_post(adapter_name: str, headers: dict[str, str], payload: dict[str, Any]) -> tuple[str, list]:
    """The message and attachments the adapter itself makes of the delivery, as JSON gives them back."""
    adapter = registry()[adapter_name]
    rendered = adapter.render(adapter.event_name(headers, payload), payload)
    assert rendered is not None
    return rendered.text, json.loads(json.dumps(list(rendered.attachments)))


def deliver(api, path: str, payload: Any, headers: dict[str, str] | None = None):
    data = payload if isinstance(payload, (bytes, str)) else json.dumps(payload)
    return api.as_(None).request(
        "POST", path, data=data, headers={"Content-Type": "application/json", **(headers or {})}
    )


def gitlab(api, hook_id: str, payload: Any, event: str = "pipeline", **headers: str):
    return deliver(api, f"/hooks/{hook_id}/gitlab", payload, {**GITLAB_HEADERS[event], **headers})


def github_signature(body: bytes, secret: str = SECRET) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def pipeline(status: str, ref: str = "main", pipeline_id: int = 5150) -> dict[str, Any]:
    payload = copy.deepcopy(fixture("gitlab", "pipeline-success"))
    payload["object_attributes"].update(status=status, ref=ref, id=pipeline_id)
    return payload


def assert_skipped(response) -> None:
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.headers.get("X-Hubbub-Skipped")


def hook_state(api, room, hook_id: str) -> dict[str, Any]:
    return api.as_(room.owner).get(f"hooks/incoming/{hook_id}").get_json()


def set_event_filter(api, room, hook: dict, **event_filter: Any) -> dict:
    response = api.as_(room.owner).put(f"hooks/incoming/{hook['id']}", {**hook, "event_filter": event_filter})
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


@pytest.fixture
def hub(hub_factory):
    # The malformed-payload sweep sends more deliveries to one hook than its burst allows.
    return hub_factory(RateLimitSettings={"IncomingWebhookPerSec": 0})


@pytest.fixture
def hook(api, room) -> dict:
    return make_hook(api, room.owner, room.channel_id, display_name="CI")


# ---- rendering wiring ------------------------------------------------------------------------
DELIVERIES = [
    ("gitlab", "pipeline-failed", GITLAB_HEADERS["pipeline"]),
    ("gitlab", "push", GITLAB_HEADERS["push"]),
    ("github", "workflow_run-completed-failure", {"X-GitHub-Event": "workflow_run"}),
    ("jenkins", "finalized-failure", {}),
]


@pytest.mark.parametrize("adapter, name, headers", DELIVERIES)
@pytest.mark.parametrize("route", ["adapter_in_path", "adapter_on_hook"])
def test_delivery_posts_the_adapters_render(api, room, adapter, name, headers, route):
    if route == "adapter_on_hook":
        made = make_hook(api, room.owner, room.channel_id, adapter=adapter)
        assert made["adapter"] == adapter
        path = f"/hooks/{made['id']}"
    else:
        made = make_hook(api, room.owner, room.channel_id)
        path = f"/hooks/{made['id']}/{adapter}"
    payload = fixture(adapter, name)

    assert_ok(deliver(api, path, payload, headers))

    posts = channel_posts(api, room.owner, room.channel_id)
    assert len(posts) == 1
    text, attachments = rendered_post(adapter, headers, payload)
    post = posts[0]
    assert post["message"] == text
    assert post["props"]["attachments"] == attachments
    assert post["props"]["from_webhook"] == "true"
    assert post["type"] == "slack_attachment"
    assert post["user_id"] == room.owner.id


# ---- secrets --------------------------------------------------------------------------------
def test_gitlab_token_must_match_the_secret(api, room):
    made = make_hook(api, room.owner, room.channel_id, adapter="gitlab", secret=SECRET)
    assert made["has_secret"] is True and "secret" not in made
    payload = fixture("gitlab", "pipeline-failed")
    for headers in ({"X-Gitlab-Token": "wrong"}, {}):
        wrong = gitlab(api, made["id"], payload, **headers)
        assert_app_error(wrong, 401, "webhooks.gitlab.invalid_token.app_error")
        assert_app_error(
            deliver(api, f"/hooks/{made['id']}", payload, {**GITLAB_HEADERS["pipeline"], **headers}), 401
        )
    assert channel_posts(api, room.owner, room.channel_id) == []
    assert_ok(gitlab(api, made["id"], payload, **{"X-Gitlab-Token": SECRET}))
    assert len(channel_posts(api, room.owner, room.channel_id)) == 1


def test_github_signature_is_an_hmac_of_the_body(api, room):
    made = make_hook(api, room.owner, room.channel_id, secret=SECRET)
    body = json.dumps(fixture("github", "push")).encode()
    path = f"/hooks/{made['id']}/github"
    event = {"X-GitHub-Event": "push"}
    for signature in (github_signature(body, "other"), github_signature(body + b" "), "", "sha256=zz"):
        headers = {**event, "X-Hub-Signature-256": signature} if signature else event
        assert_app_error(deliver(api, path, body, headers), 401, "webhooks.github.signature.app_error")
    assert channel_posts(api, room.owner, room.channel_id) == []
    assert_ok(deliver(api, path, body, {**event, "X-Hub-Signature-256": github_signature(body)}))
    assert len(channel_posts(api, room.owner, room.channel_id)) == 1


def test_jenkins_token_header_must_match_the_secret(api, room):
    made = make_hook(api, room.owner, room.channel_id, adapter="jenkins", secret=SECRET)
    payload = fixture("jenkins", "finalized-failure")
    for headers in ({"X-Jenkins-Token": "wrong"}, {}):
        wrong = deliver(api, f"/hooks/{made['id']}", payload, headers)
        assert_app_error(wrong, 401, "webhooks.jenkins.token.app_error")
    assert channel_posts(api, room.owner, room.channel_id) == []
    assert_ok(deliver(api, f"/hooks/{made['id']}", payload, {"X-Jenkins-Token": SECRET}))
    assert len(channel_posts(api, room.owner, room.channel_id)) == 1


# ---- bad deliveries -------------------------------------------------------------------------
def test_unknown_adapter_is_404(api, room, hook):
    body = assert_app_error(deliver(api, f"/hooks/{hook['id']}/bitbucket", {"x": 1}), 404)
    assert "gitlab" in body["detailed_error"]
    assert channel_posts(api, room.owner, room.channel_id) == []


def test_unparseable_bodies_are_400(api, room, hook):
    invalid_utf8 = b'{"object_kind": "pipeline\xff"}'
    for body in (b"{not json", invalid_utf8, b"", b"[1, 2]", b"null"):
        assert_app_error(gitlab(api, hook["id"], body), 400)
        assert_app_error(deliver(api, f"/hooks/{hook['id']}/github", body, {"X-GitHub-Event": "push"}), 400)
        assert_app_error(deliver(api, f"/hooks/{hook['id']}/jenkins", body), 400)
    assert channel_posts(api, room.owner, room.channel_id) == []


def test_missing_required_field_is_400_naming_it(api, room, hook):
    payload = pipeline("failed")
    del payload["object_attributes"]["status"]
    body = assert_app_error(gitlab(api, hook["id"], payload), 400)
    assert "object_attributes.status" in body["message"]

    jenkins = copy.deepcopy(fixture("jenkins", "finalized-failure"))
    del jenkins["build"]["number"]
    body = assert_app_error(deliver(api, f"/hooks/{hook['id']}/jenkins", jenkins), 400)
    assert "build.number" in body["message"]

    body = assert_app_error(deliver(api, f"/hooks/{hook['id']}/github", fixture("github", "push")), 400)
    assert "X-GitHub-Event" in body["message"]

    too_long_key = {"X-Gitlab-Event-UUID": "k" * 256}
    assert_app_error(gitlab(api, hook["id"], pipeline("failed"), **too_long_key), 400)
    assert channel_posts(api, room.owner, room.channel_id) == []


def with_oddities(original: dict[str, Any]):
    """The payload with each top-level field, and each field of a top-level object, replaced by a
    value of the wrong kind."""
    oddities = [None, True, 0, -1, 1e308, "", "x" * 5000, [], {}, ["a"], {"a": None}]
    for key, value in original.items():
        for oddity in oddities:
            yield {**original, key: oddity}
            if isinstance(value, dict):
                for inner in value:
                    yield {**original, key: {**value, inner: oddity}}


@pytest.mark.parametrize("adapter, name, headers", DELIVERIES)
def test_malformed_payloads_never_answer_500(api, room, hook, adapter, name, headers):
    tried = 0
    for payload in with_oddities(fixture(adapter, name)):
        response = deliver(api, f"/hooks/{hook['id']}/{adapter}", payload, headers)
        assert response.status_code in (200, 400), (payload, response.get_data(as_text=True))
        tried += 1
    assert tried > 50


# ---- events the adapter does not render ------------------------------------------------------
def test_unrendered_event_is_skipped_noted_and_told_to_the_owner_once(api, room, hook, ws_connect):
    owner_socket, member_socket = ws_connect(room.owner), ws_connect(room.member)
    future = {"object_kind": "some_future_hook", "project": {"path_with_namespace": "harbour/lighthouse"}}
    headers = {"X-Gitlab-Event": "Some Future Hook"}
    path = f"/hooks/{hook['id']}/gitlab"

    response = deliver(api, path, future, headers)
    assert_skipped(response)
    assert response.get_data() == b"ok"
    state = hook_state(api, room, hook["id"])
    assert state["last_unhandled_event"] == "gitlab:some_future_hook"
    assert state["last_unhandled_at"] > 0
    frame = owner_socket.expect("ephemeral_message")
    told = json.loads(frame["data"]["post"])
    assert "some_future_hook" in told["message"] and "gitlab" in told["message"]
    assert told["channel_id"] == room.channel_id

    # The same event again is noted but not told again; another new one is told (and arrives after
    # anything the repeat would have sent, since the bus keeps the order).
    assert_skipped(deliver(api, path, future, headers))
    assert hook_state(api, room, hook["id"])["last_unhandled_at"] >= state["last_unhandled_at"]
    feature_flag = {"object_kind": "feature_flag"}
    assert_skipped(deliver(api, path, feature_flag, {"X-Gitlab-Event": "Feature Flag Hook"}))
    frame = owner_socket.expect("ephemeral_message")
    assert "feature_flag" in json.loads(frame["data"]["post"])["message"]
    assert [f for f in owner_socket.events if f["event"] == "ephemeral_message"] == []
    assert hook_state(api, room, hook["id"])["last_unhandled_event"] == "gitlab:feature_flag"

    assert channel_posts(api, room.owner, room.channel_id) == []
    assert not [f for f in member_socket.drain() if f["event"] == "ephemeral_message"]


def test_owner_is_told_once_per_kind_of_unrendered_event(api, room, hook, ws_connect):
    # Jenkins sends QUEUED and COMPLETED (not rendered) around every build's STARTED and FINALIZED.
    owner_socket = ws_connect(room.owner)
    for phase in ("QUEUED", "COMPLETED", "QUEUED", "COMPLETED", "NEW_PHASE"):
        assert_skipped(deliver(api, f"/hooks/{hook['id']}/jenkins", {"build": {"phase": phase}}))
    told = []
    while not told or "new_phase" not in told[-1]:
        told.append(json.loads(owner_socket.expect("ephemeral_message")["data"]["post"])["message"])
    assert len(told) == 3, told


def test_skipped_reason_is_a_valid_header_over_real_http(api, room, hook, live_server):
    # The reason quotes the event name, which comes from the payload here.
    body = json.dumps({"object_kind": "sn\u2603w\nX-Injected: 1"}).encode()
    url = f"{live_server.url}/hooks/{hook['id']}/gitlab"
    request = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 200
        assert response.read() == b"ok"
        skipped = response.headers["X-Hubbub-Skipped"]
    assert "sn\\u2603w" in skipped and "X-Injected" not in response.headers
    assert hook_state(api, room, hook["id"])["last_unhandled_event"] == "gitlab:sn\u2603w\nX-Injected: 1"


def test_unrendered_github_event_is_skipped(api, room, hook):
    response = deliver(api, f"/hooks/{hook['id']}/github", {"zen": "hi"}, {"X-GitHub-Event": "star"})
    assert_skipped(response)
    assert hook_state(api, room, hook["id"])["last_unhandled_event"] == "github:star"
    assert channel_posts(api, room.owner, room.channel_id) == []


# ---- event filters --------------------------------------------------------------------------
def test_include_filter(api, room, hook):
    made = set_event_filter(api, room, hook, include=["pipeline"])
    expected = {"include": ["pipeline"], "exclude": [], "failures_and_recoveries_only": False}
    assert made["event_filter"] == expected
    assert_ok(gitlab(api, hook["id"], pipeline("failed")))
    assert_skipped(gitlab(api, hook["id"], fixture("gitlab", "push"), "push"))
    assert len(channel_posts(api, room.owner, room.channel_id)) == 1
    # An event left out by the filter is not an unhandled one.
    assert hook_state(api, room, hook["id"])["last_unhandled_event"] == ""


def test_exclude_filter(api, room, hook):
    set_event_filter(api, room, hook, exclude=["push"])
    assert_skipped(gitlab(api, hook["id"], fixture("gitlab", "push"), "push"))
    assert_ok(gitlab(api, hook["id"], pipeline("failed")))
    assert_ok(gitlab(api, hook["id"], fixture("gitlab", "merge_request-open"), "merge_request"))
    assert len(channel_posts(api, room.owner, room.channel_id)) == 2


def test_pattern_filters(api, room, hook):
    set_event_filter(api, room, hook, include=["merge_*", "pipe*"], exclude=["pipeline"])
    assert_ok(gitlab(api, hook["id"], fixture("gitlab", "merge_request-open"), "merge_request"))
    assert_skipped(gitlab(api, hook["id"], pipeline("failed")))
    assert_skipped(gitlab(api, hook["id"], fixture("gitlab", "push"), "push"))
    posts = channel_posts(api, room.owner, room.channel_id)
    assert [p["message"] for p in posts] == [
        rendered_post("gitlab", GITLAB_HEADERS["merge_request"], fixture("gitlab", "merge_request-open"))[0]
    ]


def test_bad_event_filter_is_400(api, room, hook):
    owner = api.as_(room.owner)
    for bad in (
        "pipeline",
        {"include": "pipeline"},
        {"include": [""]},
        {"exclude": [1]},
        {"include": ["x" * 101]},
        {"include": ["p"] * 51},
        {"failures_and_recoveries_only": "yes"},
    ):
        assert_app_error(owner.put(f"hooks/incoming/{hook['id']}", {**hook, "event_filter": bad}), 400)
        created = owner.post("hooks/incoming", {"channel_id": room.channel_id, "event_filter": bad})
        assert_app_error(created, 400)


def test_failures_and_recoveries_only(api, room, hook):
    set_event_filter(api, room, hook, failures_and_recoveries_only=True)
    sequence = [
        ("success", "main", False),
        ("failed", "main", True),
        ("failed", "main", True),
        ("running", "main", False),
        ("success", "main", True),  # the recovery
        ("success", "main", False),
        ("failed", "feature", True),
        ("success", "main", False),  # feature's failure does not make main's success a recovery
        ("canceled", "feature", False),
        ("success", "feature", True),
    ]
    expected_messages = []
    for number, (status, ref, posted) in enumerate(sequence, start=1):
        payload = pipeline(status, ref, pipeline_id=6000 + number)
        response = gitlab(api, hook["id"], payload)
        if posted:
            assert_ok(response)
            assert "X-Hubbub-Skipped" not in response.headers
            expected_messages.append(rendered_post("gitlab", GITLAB_HEADERS["pipeline"], payload)[0])
        else:
            assert_skipped(response)
        assert [p["message"] for p in channel_posts(api, room.owner, room.channel_id)] == expected_messages, (
            number,
            status,
            ref,
        )

    # Events without an outcome are not filtered by it.
    before = len(expected_messages)
    assert_ok(gitlab(api, hook["id"], fixture("gitlab", "push"), "push"))
    assert_ok(gitlab(api, hook["id"], fixture("gitlab", "push"), "push"))
    assert len(channel_posts(api, room.owner, room.channel_id)) == before + 2


def test_failures_only_applies_per_hook(api, room, hook):
    other = make_hook(api, room.owner, room.channel_id, event_filter={"failures_and_recoveries_only": True})
    set_event_filter(api, room, hook, failures_and_recoveries_only=True)
    assert_ok(gitlab(api, hook["id"], pipeline("failed")))
    # The other hook never saw the failure: its success is no recovery.
    assert_skipped(gitlab(api, other["id"], pipeline("success")))
    assert_ok(gitlab(api, hook["id"], pipeline("success")))
    assert len(channel_posts(api, room.owner, room.channel_id)) == 2


# ---- delivery keys --------------------------------------------------------------------------
@pytest.mark.parametrize(
    "adapter, name, event_headers, key_header",
    [
        ("github", "push", {"X-GitHub-Event": "push"}, "X-GitHub-Delivery"),
        ("gitlab", "pipeline-failed", GITLAB_HEADERS["pipeline"], "X-Gitlab-Event-UUID"),
    ],
)
def test_repeated_delivery_id_posts_once(api, room, hook, adapter, name, event_headers, key_header):
    path = f"/hooks/{hook['id']}/{adapter}"
    payload = fixture(adapter, name)
    headers = {**event_headers, key_header: "72d3162e-cc78-11e3-81ab-4c9367dc0958"}
    first = deliver(api, path, payload, headers)
    assert_ok(first)
    assert "Idempotent-Replayed" not in first.headers
    again = deliver(api, path, payload, headers)
    assert_ok(again)
    assert again.headers["Idempotent-Replayed"] == "true"
    assert len(channel_posts(api, room.owner, room.channel_id)) == 1

    # With ?return=post both answers are the post; a new delivery id makes a new post.
    headers = {**event_headers, key_header: "9a1c0d2e-0000-4000-8000-000000000002"}
    made = deliver(api, f"{path}?return=post", payload, headers)
    assert made.status_code == 200, made.get_data(as_text=True)
    assert "Idempotent-Replayed" not in made.headers
    replayed = deliver(api, f"{path}?return=post", payload, headers)
    assert replayed.status_code == 200, replayed.get_data(as_text=True)
    assert replayed.headers["Idempotent-Replayed"] == "true"
    assert made.get_json()["id"] == replayed.get_json()["id"]
    posts = channel_posts(api, room.owner, room.channel_id)
    assert len(posts) == 2 and posts[-1]["id"] == made.get_json()["id"]


def test_skipped_answer_as_json(api, room, hook):
    set_event_filter(api, room, hook, exclude=["push"])
    path = f"/hooks/{hook['id']}/gitlab?return=post"
    response = deliver(api, path, fixture("gitlab", "push"), GITLAB_HEADERS["push"])
    assert response.status_code == 200
    assert response.get_json()["status"] == "skipped"
    assert response.headers["X-Hubbub-Skipped"]


# ---- the Jenkins Mattermost plugin ----------------------------------------------------------
def test_jenkins_mattermost_plugin_payloads_work_as_plain_incoming_hooks(api, room, hook):
    alerts = api.as_(room.owner).post(
        "channels", {"team_id": room.team_id, "name": "ci-alerts", "display_name": "CI alerts", "type": "O"}
    )
    assert alerts.status_code == 201, alerts.get_data(as_text=True)
    alerts_id = alerts.get_json()["id"]

    failure = json.loads((SHARED_JENKINS / "mattermost-failure.json").read_text())
    assert_ok(deliver(api, f"/hooks/{hook['id']}", failure))
    posted = channel_posts(api, room.owner, alerts_id)
    assert len(posted) == 1
    post = posted[0]
    assert post["message"] == failure["text"]
    assert post["type"] == "slack_attachment"
    assert post["props"]["from_webhook"] == "true"
    attachment = post["props"]["attachments"][0]
    assert attachment["color"] == "danger"
    assert attachment["fields"][0]["value"] == failure["attachments"][0]["fields"][0]["value"]

    # Without a channel the post lands in the hook's own.
    pipeline_send = json.loads((SHARED_JENKINS / "mattermost-pipeline-send.json").read_text())
    assert_ok(deliver(api, f"/hooks/{hook['id']}", pipeline_send))
    post = channel_posts(api, room.owner, room.channel_id)[-1]
    assert post["message"] == pipeline_send["text"]
    assert post["props"]["attachments"][0]["fields"][0]["value"] == "Message from Jenkins Pipeline"
