"""The Jenkins adapter: every own fixture renders to exactly the post below; the shared Notification
plugin samples render without error; the token and malformed payloads are refused with the right AppError."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from hub.errors import AppError
from webhooks.incoming.adapters import CANCELLED, FAILURE, RUNNING, SUCCESS
from webhooks.incoming.adapters.expectations import assert_renders_as
from webhooks.incoming.adapters.jenkins.adapter import ADAPTER

FIXTURES = Path(__file__).parent / "fixtures"
SHARED_FIXTURES = Path("/work/shared/fixtures/jenkins")

URL = "https://ci.example.org/job/hubbub/job/main/311/"
SCM_FIELDS = [
    {"title": "Branch", "value": "main", "short": True},
    {"title": "Commit", "value": "5eed5ee", "short": True},
]
CULPRITS = {"title": "Culprits", "value": "ada, grace", "short": False}


def duration_field(value: str) -> dict[str, Any]:
    return {"title": "Duration", "value": value, "short": True}


LONG_BUILD = duration_field("12 min 34 s")


def summary_field(value: str) -> dict[str, Any]:
    return {"title": "Tests", "value": value, "short": True}


Post = tuple[str, dict[str, Any], str]


def post(happened: str, color: str, outcome: str, fields: list[dict[str, Any]]) -> Post:
    headline = f"Build [hubbub » main #311]({URL}) {happened}."
    return (
        headline,
        {
            "fallback": headline,
            "color": color,
            "title": f"hubbub » main #311 {happened}",
            "title_link": URL,
            "text": "",
            "fields": fields,
            "footer": "Jenkins",
        },
        outcome,
    )


EXPECTED: dict[str, Post | None] = {
    "started.json": post("started", RUNNING, "running", SCM_FIELDS),
    "completed-success.json": None,
    "finalized-success.json": post(
        "succeeded",
        SUCCESS,
        "success",
        [*SCM_FIELDS, LONG_BUILD, summary_field("476 passed, 0 failed, 4 skipped"), CULPRITS],
    ),
    "finalized-failure.json": post(
        "failed",
        FAILURE,
        "failure",
        [*SCM_FIELDS, LONG_BUILD, summary_field("473 passed, 3 failed, 4 skipped"), CULPRITS],
    ),
    "finalized-unstable.json": post(
        "is unstable", RUNNING, "failure", [*SCM_FIELDS, duration_field("1 h 2 min 5 s"), CULPRITS]
    ),
    "finalized-aborted.json": post(
        "was aborted", CANCELLED, "cancelled", [*SCM_FIELDS, duration_field("12 s"), CULPRITS]
    ),
}


def load(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text())


def test_every_own_fixture_has_an_expected_post() -> None:
    assert sorted(path.name for path in FIXTURES.glob("*.json")) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_own_fixture_renders_exactly(name: str) -> None:
    payload = load(FIXTURES / name)
    event = ADAPTER.event_name({}, payload)
    assert event == name.split("-")[0].removesuffix(".json")
    rendered = ADAPTER.render(event, payload)
    expected = EXPECTED[name]
    assert_renders_as(rendered, event, expected)


SHARED = sorted(SHARED_FIXTURES.glob("notification-*.json")) if SHARED_FIXTURES.is_dir() else []


@pytest.mark.skipif(not SHARED, reason="the Notification plugin samples are not available")
@pytest.mark.parametrize("path", SHARED, ids=[path.name for path in SHARED])
def test_notification_plugin_sample_renders(path: Path) -> None:
    payload = load(path)
    rendered = ADAPTER.render(ADAPTER.event_name({}, payload), payload)
    if payload["build"]["phase"] == "COMPLETED":
        assert rendered is None
    else:
        assert rendered is not None and rendered.text and len(rendered.attachments) == 1


def test_build_without_a_jenkins_url_is_not_linked() -> None:
    payload = load(FIXTURES / "started.json")
    del payload["build"]["full_url"]
    rendered = ADAPTER.render("started", payload)
    assert rendered is not None
    assert rendered.text == "Build hubbub » main #311 started."
    assert "title_link" not in rendered.attachments[0]


def test_token_header_is_checked_when_the_hook_has_a_secret() -> None:
    ADAPTER.verify({"x-jenkins-token": "s3cret"}, b"{}", "s3cret")
    ADAPTER.verify({}, b"{}", "")
    for headers in ({}, {"X-Jenkins-Token": "guess"}):
        with pytest.raises(AppError) as raised:
            ADAPTER.verify(headers, b"{}", "s3cret")
        assert (raised.value.id, raised.value.status_code) == ("webhooks.jenkins.token.app_error", 401)


def _with(value: Any, *path: str) -> Any:
    def mutate(payload: dict[str, Any]) -> dict[str, Any]:
        broken = copy.deepcopy(payload)
        target = broken
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value
        return broken

    return mutate


@pytest.mark.parametrize(
    ("mutate", "detail"),
    [
        (_with(None, "build", "number"), "'build.number' is missing"),
        (_with("311", "build", "number"), "'build.number' has the wrong type"),
        (_with(None, "build", "status"), "'build.status' is missing"),
        (_with("main", "build", "scm"), "'build.scm.branch' is not inside an object"),
        (_with([1], "build", "scm", "culprits"), "'build.scm.culprits' has the wrong type"),
        (_with({"passed": "all"}, "build", "test_summary"), "'passed' has the wrong type"),
        (lambda p: {key: value for key, value in p.items() if "name" not in key}, "'name' is missing"),
    ],
)
def test_malformed_payload_is_a_400(mutate: Any, detail: str) -> None:
    payload = mutate(load(FIXTURES / "finalized-failure.json"))
    with pytest.raises(AppError) as raised:
        ADAPTER.render("finalized", payload)
    assert (raised.value.id, raised.value.status_code) == ("webhooks.adapter.invalid_payload.app_error", 400)
    assert detail in raised.value.message


def test_event_name_needs_a_phase() -> None:
    with pytest.raises(AppError) as raised:
        ADAPTER.event_name({}, {"name": "main", "build": {"number": 1}})
    assert raised.value.status_code == 400


def test_body_that_is_not_an_object_is_a_400() -> None:
    with pytest.raises(AppError) as raised:
        ADAPTER.render("finalized", "build")  # type: ignore[arg-type]
    assert raised.value.status_code == 400


def _subject(payload: dict[str, Any]) -> str:
    rendered = ADAPTER.render(ADAPTER.event_name({}, payload), payload)
    assert rendered is not None
    return rendered.subject


def test_every_build_of_a_job_has_the_job_as_its_subject() -> None:
    posted = [name for name, expected in EXPECTED.items() if expected is not None]
    assert {_subject(load(FIXTURES / name)) for name in posted} == {"build:hubbub/main"}


def test_subject_tells_jobs_apart_even_with_the_same_short_name() -> None:
    other_project = load(FIXTURES / "finalized-success.json")
    other_project["url"] = "job/lighthouse/job/main/"
    assert other_project["name"] == "main"
    assert _subject(other_project) == "build:lighthouse/main"


@pytest.mark.parametrize("url", [None, "", "view/all/job/main/", "job//"])
def test_subject_falls_back_to_the_name_without_a_job_url(url: str | None) -> None:
    payload = load(FIXTURES / "finalized-failure.json")
    payload["url"] = url
    assert _subject(payload) == "build:main"


def test_names_from_the_payload_mention_no_one_and_form_no_markup() -> None:
    payload = load(FIXTURES / "finalized-failure.json")
    payload["display_name"] = "[deploy](https://e.test) @here"
    payload["build"]["scm"]["branch"] = "origin/*hot*fix"
    payload["build"]["scm"]["culprits"] = ["@all", "grace"]
    rendered = ADAPTER.render("finalized", payload)
    assert rendered is not None
    fields = {field["title"]: field["value"] for field in rendered.attachments[0]["fields"]}
    assert rendered.text == f"Build [\\[deploy\\](https://e.test) @\u2060here #311]({URL}) failed."
    assert (fields["Branch"], fields["Culprits"]) == ("\\*hot\\*fix", "@\u2060all, grace")
