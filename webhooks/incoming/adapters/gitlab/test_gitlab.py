"""GitLab adapter: every own fixture renders to exactly the expected post, real GitLab payloads render
without error, broken payloads are 400s and the token check is a 401."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import pytest

from hub.errors import AppError
from hub.services.posts import mention_names
from webhooks.incoming.adapters import CANCELLED, FAILURE, NEUTRAL, RUNNING, SUCCESS
from webhooks.incoming.adapters.gitlab import ADAPTER

FIXTURES = Path(__file__).parent / "fixtures"
REAL_PAYLOADS = Path("/work/shared/fixtures/gitlab")
WEB = "https://git.hubbub.test/harbour/lighthouse"
HTTP = ("http://", "https://")
ADA = {"author_name": "Ada Keeper", "author_icon": "https://git.hubbub.test/uploads/ada.png"}


def load(name: str) -> dict[str, Any]:
    return json.loads((FIXTURES / f"{name}.json").read_text())


def render(name: str, payload: dict[str, Any] | None = None):
    payload = load(name) if payload is None else payload
    return ADAPTER.render(ADAPTER.event_name({}, payload), payload)


EXPECTED = {
    "deployment-failed": (
        f"Deployment to production failed in [Lighthouse]({WEB})",
        {
            "fallback": "Deployment to production failed in Lighthouse",
            "color": "#D1242F",
            "title": "Deployment to production",
            "title_link": f"{WEB}/-/jobs/7002",
            "text": "",
            "fields": [
                {"title": "Ref", "value": "`main`", "short": True},
                {
                    "title": "Commit",
                    "value": f"[`cccccccc`]({WEB}/-/commit/cccccccccccccccccccccccccccccccccccccccc) "
                    "Polish the lens",
                    "short": True,
                },
            ],
            "footer": "GitLab · harbour/lighthouse",
            **ADA,
            "author_link": "https://git.hubbub.test/ada",
        },
        "failure",
    ),
    "deployment-success": (
        f"Deployment to [production](https://lighthouse.hubbub.test) succeeded in [Lighthouse]({WEB})",
        {
            "fallback": "Deployment to production succeeded in Lighthouse",
            "color": "#2DA44E",
            "title": "Deployment to production",
            "title_link": f"{WEB}/-/jobs/7002",
            "text": "",
            "fields": [
                {"title": "Ref", "value": "`main`", "short": True},
                {
                    "title": "Commit",
                    "value": f"[`cccccccc`]({WEB}/-/commit/cccccccccccccccccccccccccccccccccccccccc) "
                    "Polish the lens",
                    "short": True,
                },
            ],
            "footer": "GitLab · harbour/lighthouse",
            **ADA,
            "author_link": "https://git.hubbub.test/ada",
        },
        "success",
    ),
    "issue-open": (
        f"@ada opened issue [#31 Lamp flickers at dusk]({WEB}/-/issues/31) in [Lighthouse]({WEB})",
        {
            "fallback": "@ada opened issue #31 Lamp flickers at dusk in Lighthouse",
            "color": "#0969DA",
            "title": "#31 Lamp flickers at dusk",
            "title_link": f"{WEB}/-/issues/31",
            "text": "Seen twice this week.",
            "fields": [
                {"title": "Assignees", "value": "Bo Tender", "short": True},
                {"title": "Labels", "value": "bug", "short": True},
            ],
            "footer": "GitLab · harbour/lighthouse",
            **ADA,
        },
        "",
    ),
    "job-failed": (
        f"Job [unit tests]({WEB}/-/jobs/7001) failed on [`main`]({WEB}/-/tree/main) in [Lighthouse]({WEB})",
        {
            "fallback": "Job unit tests failed on main in Lighthouse",
            "color": "#D1242F",
            "title": "Job unit tests",
            "title_link": f"{WEB}/-/jobs/7001",
            "text": "",
            "fields": [
                {"title": "Status", "value": "failed", "short": True},
                {"title": "Stage", "value": "test", "short": True},
                {"title": "Duration", "value": "1m 33s", "short": True},
                {"title": "Failure reason", "value": "script failure", "short": True},
            ],
            "footer": "GitLab · harbour/lighthouse",
            **ADA,
        },
        "failure",
    ),
    "job-success": (
        f"Job [unit tests]({WEB}/-/jobs/7001) succeeded on "
        f"[`main`]({WEB}/-/tree/main) in "
        f"[Lighthouse]({WEB})",
        {
            "fallback": "Job unit tests succeeded on main in Lighthouse",
            "color": "#2DA44E",
            "title": "Job unit tests",
            "title_link": f"{WEB}/-/jobs/7001",
            "text": "",
            "fields": [
                {"title": "Status", "value": "success", "short": True},
                {"title": "Stage", "value": "test", "short": True},
                {"title": "Duration", "value": "12s", "short": True},
            ],
            "footer": "GitLab · harbour/lighthouse",
            **ADA,
        },
        "success",
    ),
    "merge_request-approved": (
        "@ada approved merge request [!12 Brighter \\[LED\\] "
        f"lamp]({WEB}/-/merge_requests/12) in "
        f"[Lighthouse]({WEB})",
        {
            "fallback": "@ada approved merge request !12 Brighter [LED] lamp in Lighthouse",
            "color": "#0969DA",
            "title": "!12 Brighter \\[LED\\] lamp",
            "title_link": f"{WEB}/-/merge_requests/12",
            "text": "",
            "fields": [
                {"title": "Branches", "value": "`led-lamp` → `main`", "short": True},
                {"title": "Labels", "value": "lamp", "short": True},
            ],
            "footer": "GitLab · harbour/lighthouse",
            **ADA,
        },
        "",
    ),
    "merge_request-close": (
        "@ada closed merge request [!12 Brighter \\[LED\\] "
        f"lamp]({WEB}/-/merge_requests/12) in "
        f"[Lighthouse]({WEB})",
        {
            "fallback": "@ada closed merge request !12 Brighter [LED] lamp in Lighthouse",
            "color": "#8C959F",
            "title": "!12 Brighter \\[LED\\] lamp",
            "title_link": f"{WEB}/-/merge_requests/12",
            "text": "",
            "fields": [
                {"title": "Branches", "value": "`led-lamp` → `main`", "short": True},
                {"title": "Labels", "value": "lamp", "short": True},
            ],
            "footer": "GitLab · harbour/lighthouse",
            **ADA,
        },
        "",
    ),
    "merge_request-merge": (
        "@ada merged merge request [!12 Brighter \\[LED\\] "
        f"lamp]({WEB}/-/merge_requests/12) in "
        f"[Lighthouse]({WEB})",
        {
            "fallback": "@ada merged merge request !12 Brighter [LED] lamp in Lighthouse",
            "color": "#2DA44E",
            "title": "!12 Brighter \\[LED\\] lamp",
            "title_link": f"{WEB}/-/merge_requests/12",
            "text": "",
            "fields": [
                {"title": "Branches", "value": "`led-lamp` → `main`", "short": True},
                {"title": "Labels", "value": "lamp", "short": True},
            ],
            "footer": "GitLab · harbour/lighthouse",
            **ADA,
        },
        "",
    ),
    "merge_request-open": (
        "@ada opened merge request [!12 Brighter \\[LED\\] "
        f"lamp]({WEB}/-/merge_requests/12) in "
        f"[Lighthouse]({WEB})",
        {
            "fallback": "@ada opened merge request !12 Brighter [LED] lamp in Lighthouse",
            "color": "#0969DA",
            "title": "!12 Brighter \\[LED\\] lamp",
            "title_link": f"{WEB}/-/merge_requests/12",
            "text": "Swaps the bulb for an LED.",
            "fields": [
                {"title": "Branches", "value": "`led-lamp` → `main`", "short": True},
                {"title": "Labels", "value": "lamp", "short": True},
            ],
            "footer": "GitLab · harbour/lighthouse",
            **ADA,
        },
        "",
    ),
    "merge_request-unapproved": (
        "@ada unapproved merge request [!12 Brighter \\[LED\\] "
        f"lamp]({WEB}/-/merge_requests/12) in "
        f"[Lighthouse]({WEB})",
        {
            "fallback": "@ada unapproved merge request !12 Brighter [LED] lamp in Lighthouse",
            "color": "#0969DA",
            "title": "!12 Brighter \\[LED\\] lamp",
            "title_link": f"{WEB}/-/merge_requests/12",
            "text": "",
            "fields": [
                {"title": "Branches", "value": "`led-lamp` → `main`", "short": True},
                {"title": "Labels", "value": "lamp", "short": True},
            ],
            "footer": "GitLab · harbour/lighthouse",
            **ADA,
        },
        "",
    ),
    "merge_request-update": (
        "@ada updated merge request [!12 Brighter \\[LED\\] "
        f"lamp]({WEB}/-/merge_requests/12) in "
        f"[Lighthouse]({WEB})",
        {
            "fallback": "@ada updated merge request !12 Brighter [LED] lamp in Lighthouse",
            "color": "#0969DA",
            "title": "!12 Brighter \\[LED\\] lamp",
            "title_link": f"{WEB}/-/merge_requests/12",
            "text": "",
            "fields": [
                {"title": "Branches", "value": "`led-lamp` → `main`", "short": True},
                {"title": "Labels", "value": "lamp", "short": True},
            ],
            "footer": "GitLab · harbour/lighthouse",
            **ADA,
        },
        "",
    ),
    "note-commit": (
        "@ada commented on commit "
        f"[`cccccccc`]({WEB}/-/commit/cccccccccccccccccccccccccccccccccccccccc#note_1500) "
        f"in [Lighthouse]({WEB})",
        {
            "fallback": "@ada commented on commit cccccccc in Lighthouse",
            "color": "#0969DA",
            "title": "Comment",
            "title_link": f"{WEB}/-/commit/cccccccccccccccccccccccccccccccccccccccc#note_1500",
            "text": "Looks good, but check the `fuse`.",
            "fields": [],
            "footer": "GitLab · harbour/lighthouse",
            **ADA,
        },
        "",
    ),
    "note-issue": (
        "@ada commented on issue [#31 Lamp flickers at "
        f"dusk]({WEB}/-/issues/31#note_1500) in "
        f"[Lighthouse]({WEB})",
        {
            "fallback": "@ada commented on issue #31 Lamp flickers at dusk in Lighthouse",
            "color": "#0969DA",
            "title": "Comment",
            "title_link": f"{WEB}/-/issues/31#note_1500",
            "text": "Looks good, but check the `fuse`.",
            "fields": [],
            "footer": "GitLab · harbour/lighthouse",
            **ADA,
        },
        "",
    ),
    "note-merge_request": (
        "@ada commented on merge request [!12 Brighter \\[LED\\] "
        f"lamp]({WEB}/-/merge_requests/12#note_1500) in "
        f"[Lighthouse]({WEB})",
        {
            "fallback": "@ada commented on merge request !12 Brighter [LED] lamp in Lighthouse",
            "color": "#0969DA",
            "title": "Comment",
            "title_link": f"{WEB}/-/merge_requests/12#note_1500",
            "text": "Looks good, but check the `fuse`.",
            "fields": [],
            "footer": "GitLab · harbour/lighthouse",
            **ADA,
        },
        "",
    ),
    "note-snippet": (
        "@ada commented on snippet [$61 "
        f"wick\\_trimmer.py]({WEB}/-/snippets/61#note_1500) in "
        f"[Lighthouse]({WEB})",
        {
            "fallback": "@ada commented on snippet $61 wick_trimmer.py in Lighthouse",
            "color": "#0969DA",
            "title": "Comment",
            "title_link": f"{WEB}/-/snippets/61#note_1500",
            "text": "Looks good, but check the `fuse`.",
            "fields": [],
            "footer": "GitLab · harbour/lighthouse",
            **ADA,
        },
        "",
    ),
    "pipeline-canceled": (
        f"Pipeline [#5150]({WEB}/-/pipelines/5150) was canceled on "
        f"[`main`]({WEB}/-/tree/main) in "
        f"[Lighthouse]({WEB}) (triggered by @ada)",
        {
            "fallback": "Pipeline #5150 was canceled on main in Lighthouse (triggered by @ada)",
            "color": "#8C959F",
            "title": "Pipeline #5150",
            "title_link": f"{WEB}/-/pipelines/5150",
            "text": "",
            "fields": [
                {"title": "Status", "value": "canceled", "short": True},
                {
                    "title": "Commit",
                    "value": f"[`cccccccc`]({WEB}/-/commit/cccccccccccccccccccccccccccccccccccccccc) "
                    "Polish the lens",
                    "short": False,
                },
            ],
            "footer": "GitLab · harbour/lighthouse",
            **ADA,
        },
        "cancelled",
    ),
    "pipeline-failed": (
        f"Pipeline [#5150]({WEB}/-/pipelines/5150) failed on "
        f"[`main`]({WEB}/-/tree/main) in "
        f"[Lighthouse]({WEB}) (triggered by @ada)",
        {
            "fallback": "Pipeline #5150 failed on main in Lighthouse (triggered by @ada)",
            "color": "#D1242F",
            "title": "Pipeline #5150",
            "title_link": f"{WEB}/-/pipelines/5150",
            "text": "",
            "fields": [
                {"title": "Status", "value": "failed", "short": True},
                {"title": "Duration", "value": "47s", "short": True},
                {
                    "title": "Commit",
                    "value": f"[`cccccccc`]({WEB}/-/commit/cccccccccccccccccccccccccccccccccccccccc) "
                    "Polish the lens",
                    "short": False,
                },
                {"title": "Failed jobs", "value": "lint, unit", "short": False},
            ],
            "footer": "GitLab · harbour/lighthouse",
            **ADA,
        },
        "failure",
    ),
    "pipeline-pending": (
        f"Pipeline [#5150]({WEB}/-/pipelines/5150) is pending on "
        f"[`main`]({WEB}/-/tree/main) in "
        f"[Lighthouse]({WEB}) (triggered by @ada)",
        {
            "fallback": "Pipeline #5150 is pending on main in Lighthouse (triggered by @ada)",
            "color": "#D4A72C",
            "title": "Pipeline #5150",
            "title_link": f"{WEB}/-/pipelines/5150",
            "text": "",
            "fields": [
                {"title": "Status", "value": "pending", "short": True},
                {
                    "title": "Commit",
                    "value": f"[`cccccccc`]({WEB}/-/commit/cccccccccccccccccccccccccccccccccccccccc) "
                    "Polish the lens",
                    "short": False,
                },
            ],
            "footer": "GitLab · harbour/lighthouse",
            **ADA,
        },
        "running",
    ),
    "pipeline-running": (
        f"Pipeline [#5150]({WEB}/-/pipelines/5150) is running on "
        f"[`main`]({WEB}/-/tree/main) in "
        f"[Lighthouse]({WEB}) (triggered by @ada)",
        {
            "fallback": "Pipeline #5150 is running on main in Lighthouse (triggered by @ada)",
            "color": "#D4A72C",
            "title": "Pipeline #5150",
            "title_link": f"{WEB}/-/pipelines/5150",
            "text": "",
            "fields": [
                {"title": "Status", "value": "running", "short": True},
                {
                    "title": "Commit",
                    "value": f"[`cccccccc`]({WEB}/-/commit/cccccccccccccccccccccccccccccccccccccccc) "
                    "Polish the lens",
                    "short": False,
                },
            ],
            "footer": "GitLab · harbour/lighthouse",
            **ADA,
        },
        "running",
    ),
    "pipeline-skipped": (
        f"Pipeline [#5150]({WEB}/-/pipelines/5150) was skipped on "
        f"[`main`]({WEB}/-/tree/main) in "
        f"[Lighthouse]({WEB}) (triggered by @ada)",
        {
            "fallback": "Pipeline #5150 was skipped on main in Lighthouse (triggered by @ada)",
            "color": "#8C959F",
            "title": "Pipeline #5150",
            "title_link": f"{WEB}/-/pipelines/5150",
            "text": "",
            "fields": [
                {"title": "Status", "value": "skipped", "short": True},
                {
                    "title": "Commit",
                    "value": f"[`cccccccc`]({WEB}/-/commit/cccccccccccccccccccccccccccccccccccccccc) "
                    "Polish the lens",
                    "short": False,
                },
            ],
            "footer": "GitLab · harbour/lighthouse",
            **ADA,
        },
        "cancelled",
    ),
    "pipeline-success": (
        f"Pipeline [#5150]({WEB}/-/pipelines/5150) succeeded on "
        f"[`main`]({WEB}/-/tree/main) in "
        f"[Lighthouse]({WEB}) (triggered by @ada)",
        {
            "fallback": "Pipeline #5150 succeeded on main in Lighthouse (triggered by @ada)",
            "color": "#2DA44E",
            "title": "Pipeline #5150",
            "title_link": f"{WEB}/-/pipelines/5150",
            "text": "",
            "fields": [
                {"title": "Status", "value": "success", "short": True},
                {"title": "Duration", "value": "2m 5s", "short": True},
                {
                    "title": "Commit",
                    "value": f"[`cccccccc`]({WEB}/-/commit/cccccccccccccccccccccccccccccccccccccccc) "
                    "Polish the lens",
                    "short": False,
                },
            ],
            "footer": "GitLab · harbour/lighthouse",
            **ADA,
        },
        "success",
    ),
    "push-delete": (
        f"@ada deleted branch `old-lamp` in [Lighthouse]({WEB})",
        {
            "fallback": "@ada deleted branch old-lamp in Lighthouse",
            "color": "#8C959F",
            "title": "old-lamp",
            "title_link": "",
            "text": "",
            "fields": [],
            "footer": "GitLab · harbour/lighthouse",
            **ADA,
        },
        "",
    ),
    "push-many": (
        f"@ada pushed 9 commits to [`main`]({WEB}/-/tree/main) in [Lighthouse]({WEB})",
        {
            "fallback": "@ada pushed 9 commits to main in Lighthouse",
            "color": "#0969DA",
            "title": "main",
            "title_link": f"{WEB}/-/tree/main",
            "text": "- "
            f"[`11111111`]({WEB}/-/commit/1111111111111111111111111111111111111111) "
            "Trim the wick #1 (Ada Keeper)\n"
            "- "
            f"[`22222222`]({WEB}/-/commit/2222222222222222222222222222222222222222) "
            "Trim the wick #2 (Ada Keeper)\n"
            "- "
            f"[`33333333`]({WEB}/-/commit/3333333333333333333333333333333333333333) "
            "Trim the wick #3 (Ada Keeper)\n"
            "- "
            f"[`44444444`]({WEB}/-/commit/4444444444444444444444444444444444444444) "
            "Trim the wick #4 (Ada Keeper)\n"
            "- "
            f"[`55555555`]({WEB}/-/commit/5555555555555555555555555555555555555555) "
            "Trim the wick #5 (Ada Keeper)\n"
            "and 4 more commits",
            "fields": [],
            "footer": "GitLab · harbour/lighthouse",
            **ADA,
        },
        "",
    ),
    "push": (
        f"@ada pushed 2 commits to [`main`]({WEB}/-/tree/main) in [Lighthouse]({WEB})",
        {
            "fallback": "@ada pushed 2 commits to main in Lighthouse",
            "color": "#0969DA",
            "title": "main",
            "title_link": f"{WEB}/-/tree/main",
            "text": "- "
            f"[`11111111`]({WEB}/-/commit/1111111111111111111111111111111111111111) "
            "Trim the wick #1 (Ada Keeper)\n"
            "- "
            f"[`22222222`]({WEB}/-/commit/2222222222222222222222222222222222222222) "
            "Trim the wick #2 (Ada Keeper)",
            "fields": [],
            "footer": "GitLab · harbour/lighthouse",
            **ADA,
        },
        "",
    ),
    "release": (
        f"Release [Lighthouse 2.1]({WEB}/-/releases/v2.1.0) created in [Lighthouse]({WEB})",
        {
            "fallback": "Release Lighthouse 2.1 created in Lighthouse",
            "color": "#0969DA",
            "title": "Lighthouse 2.1",
            "title_link": f"{WEB}/-/releases/v2.1.0",
            "text": "Now with *LED* support.",
            "fields": [{"title": "Tag", "value": f"[`v2.1.0`]({WEB}/-/tags/v2.1.0)", "short": True}],
            "footer": "GitLab · harbour/lighthouse",
        },
        "",
    ),
    "tag_push": (
        f"@ada pushed tag [`v2.1.0`]({WEB}/-/tags/v2.1.0) in [Lighthouse]({WEB})",
        {
            "fallback": "@ada pushed tag v2.1.0 in Lighthouse",
            "color": "#0969DA",
            "title": "v2.1.0",
            "title_link": f"{WEB}/-/tags/v2.1.0",
            "text": "",
            "fields": [
                {
                    "title": "Commit",
                    "value": f"[`11111111`]({WEB}/-/commit/1111111111111111111111111111111111111111)",
                    "short": True,
                }
            ],
            "footer": "GitLab · harbour/lighthouse",
            **ADA,
        },
        "",
    ),
    "wiki_page-create": (
        f"@ada created wiki page [Night shift]({WEB}/-/wikis/night-shift) in [Lighthouse]({WEB})",
        {
            "fallback": "@ada created wiki page Night shift in Lighthouse",
            "color": "#0969DA",
            "title": "Night shift",
            "title_link": f"{WEB}/-/wikis/night-shift",
            "text": "Add the night shift rota",
            "fields": [],
            "footer": "GitLab · harbour/lighthouse",
            **ADA,
        },
        "",
    ),
}


def test_every_fixture_has_an_expectation():
    assert sorted(path.stem for path in FIXTURES.glob("*.json")) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_fixture_renders_expected_post(name):
    text, attachment, outcome = EXPECTED[name]
    rendered = render(name)
    assert rendered.event == name.split("-")[0]
    assert rendered.text == text
    assert rendered.attachments == (attachment,)
    assert rendered.outcome == outcome


@pytest.mark.parametrize(
    "status, colour, outcome",
    [
        ("success", SUCCESS, "success"),
        ("failed", FAILURE, "failure"),
        ("running", RUNNING, "running"),
        ("pending", RUNNING, "running"),
        ("canceled", CANCELLED, "cancelled"),
        ("skipped", CANCELLED, "cancelled"),
        ("manual", NEUTRAL, ""),
    ],
)
def test_job_status_sets_colour_and_outcome(status, colour, outcome):
    payload = load("job-success")
    payload["build_status"] = status
    rendered = render("job-success", payload)
    assert rendered.attachments[0]["color"] == colour
    assert rendered.outcome == outcome


@pytest.mark.parametrize(
    "header, event",
    [
        ("Push Hook", "push"),
        ("Tag Push Hook", "tag_push"),
        ("Merge Request Hook", "merge_request"),
        ("Pipeline Hook", "pipeline"),
        ("Job Hook", "job"),
        ("Build Hook", "job"),
        ("Issue Hook", "issue"),
        ("Confidential Issue Hook", "issue"),
        ("Note Hook", "note"),
        ("Deployment Hook", "deployment"),
        ("Release Hook", "release"),
        ("Wiki Page Hook", "wiki_page"),
    ],
)
def test_event_name_from_header(header, event):
    assert ADAPTER.event_name({"X-Gitlab-Event": header}, {"object_kind": "something_else"}) == event


def test_event_name_header_is_case_insensitive():
    assert ADAPTER.event_name({"x-gitlab-event": "Push Hook"}, {}) == "push"


@pytest.mark.parametrize(
    "payload, event",
    [({"object_kind": "build"}, "job"), ({"object_kind": "pipeline"}, "pipeline"), ({}, ""), ([], "")],
)
def test_event_name_falls_back_to_object_kind(payload, event):
    assert ADAPTER.event_name({"X-Gitlab-Event": "Unheard Of Hook"}, payload) == event


def test_unknown_event_renders_nothing():
    assert ADAPTER.render("emoji", {"object_kind": "emoji"}) is None


def test_verify_accepts_matching_token_and_unset_secret():
    ADAPTER.verify({"X-Gitlab-Token": "s3cret"}, b"{}", "s3cret")
    ADAPTER.verify({"x-gitlab-token": "s3cret"}, b"{}", "s3cret")
    ADAPTER.verify({}, b"{}", "")


@pytest.mark.parametrize(
    "headers", [{}, {"X-Gitlab-Token": "wrong"}, {"X-Gitlab-Token": "s3cret "}, {"X-Gitlab-Token": "sécret"}]
)
def test_verify_rejects_missing_or_wrong_token(headers):
    with pytest.raises(AppError) as caught:
        ADAPTER.verify(headers, b"{}", "s3cret")
    assert caught.value.status_code == 401
    assert caught.value.id == "webhooks.gitlab.invalid_token.app_error"


def without(payload: dict[str, Any], path: str) -> dict[str, Any]:
    broken = copy.deepcopy(payload)
    *parents, last = path.split(".")
    target = broken
    for key in parents:
        target = target[key]
    del target[last]
    return broken


@pytest.mark.parametrize(
    "name, path",
    [
        ("push", "ref"),
        ("push", "project"),
        ("push", "project.name"),
        ("tag_push", "ref"),
        ("merge_request-open", "object_attributes"),
        ("merge_request-open", "object_attributes.iid"),
        ("merge_request-open", "object_attributes.action"),
        ("merge_request-open", "object_attributes.source_branch"),
        ("pipeline-failed", "object_attributes.status"),
        ("pipeline-failed", "object_attributes.ref"),
        ("job-failed", "build_status"),
        ("job-failed", "build_name"),
        ("issue-open", "object_attributes.title"),
        ("note-merge_request", "merge_request"),
        ("note-issue", "issue"),
        ("note-snippet", "snippet"),
        ("note-commit", "object_attributes.noteable_type"),
        ("deployment-success", "environment"),
        ("release", "tag"),
        ("wiki_page-create", "object_attributes.title"),
    ],
)
def test_missing_required_field_is_a_400(name, path):
    with pytest.raises(AppError) as caught:
        render(name, without(load(name), path))
    assert caught.value.status_code == 400
    assert caught.value.id == "webhooks.gitlab.invalid_payload.app_error"
    assert caught.value.message == (
        f"The GitLab {name.split('-')[0]} delivery has a missing or invalid '{path}' field."
    )


def field_paths(value: Any, prefix: tuple = ()):
    """Every key and list position of a payload, outermost first."""
    if isinstance(value, dict):
        children = list(value.items())
    else:
        children = list(enumerate(value)) if isinstance(value, list) else []
    for key, child in children:
        yield prefix + (key,)
        yield from field_paths(child, prefix + (key,))


def replaced(payload: dict[str, Any], path: tuple, value: Any) -> dict[str, Any]:
    changed = copy.deepcopy(payload)
    target = changed
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return changed


def markdown_links(markdown: str) -> list[str]:
    """Targets of the Markdown links in a text; code spans and escaped brackets are not links."""
    without_code = re.sub(r"`[^`]*`", "", markdown)
    return re.findall(r"(?<!\\)\]\(([^)]*)\)", without_code)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_wrongly_typed_fields_never_crash(name):
    """Any field replaced by a value of another type: a 400 or a post, never a KeyError/TypeError."""
    payload = load(name)
    for path in field_paths(payload):
        for junk in (None, [], {}, "", 3, -1, float("inf"), float("nan"), True):
            try:
                render(name, replaced(payload, path, junk))
            except AppError as error:
                assert error.status_code == 400


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_hostile_strings_never_become_links(name):
    """Only GitLab's own http(s) URLs become link targets, whatever text a field holds."""
    payload = load(name)
    for path in field_paths(payload):
        for hostile in ("javascript:alert(1)", "x](javascript:alert(1))", "x`](javascript:alert(1))"):
            try:
                rendered = ADAPTER.render(name.split("-")[0], replaced(payload, path, hostile))
            except AppError as error:
                assert error.status_code == 400
                continue
            attachment = rendered.attachments[0]
            # Comment and description bodies are the author's own Markdown, passed through on purpose.
            own_markdown = path[-1] in ("note", "description")
            texts = [rendered.text, *(f["value"] for f in attachment["fields"])]
            texts += [] if own_markdown else [attachment["text"]]
            for text in texts:
                assert all(target.startswith(HTTP) for target in markdown_links(text)), text
            for key in ("title_link", "author_icon", "author_link"):
                assert attachment.get(key) in ("", None) or attachment[key].startswith(HTTP)


def test_payload_that_is_not_an_object_is_a_400():
    with pytest.raises(AppError) as caught:
        ADAPTER.render("push", [])  # type: ignore[arg-type]
    assert caught.value.message == "The GitLab push delivery has a missing or invalid 'payload' field."


def test_titles_cannot_break_links_and_only_http_urls_become_links():
    payload = load("merge_request-open")
    payload["object_attributes"]["title"] = "Fix](javascript:alert(1)) *bold* `code`"
    payload["object_attributes"]["url"] = "javascript:alert(1)"
    payload["project"]["web_url"] = "https://git.hubbub.test/a b)c"
    rendered = render("merge_request-open", payload)
    assert rendered.text == (
        r"@ada opened merge request !12 Fix\](javascript:alert(1)) \*bold\* \`code\` in "
        "[Lighthouse](https://git.hubbub.test/a%20b%29c)"
    )
    assert rendered.attachments[0]["title_link"] == ""


def test_push_of_a_new_branch_without_commits():
    payload = load("push")
    payload.update(before="0" * 40, commits=[], total_commits_count=0, ref="refs/heads/beacon")
    assert render("push", payload).text == (
        f"@ada pushed the new branch [`beacon`]({WEB}/-/tree/beacon) in [Lighthouse]({WEB})"
    )


def test_user_without_username_is_named_escaped():
    payload = load("issue-open")
    payload["user"] = {"name": "Ada_Keeper"}
    assert render("issue-open", payload).text.startswith(r"Ada\_Keeper opened issue")


@pytest.mark.skipif(not REAL_PAYLOADS.is_dir(), reason="real GitLab payloads not available")
@pytest.mark.parametrize(
    "path", sorted(REAL_PAYLOADS.glob("*.json")) if REAL_PAYLOADS.is_dir() else [], ids=lambda p: p.stem
)
def test_real_gitlab_payload_renders(path):
    payload = json.loads(path.read_text())
    event = ADAPTER.event_name({}, payload)
    assert event == path.stem.split("-")[0]
    rendered = ADAPTER.render(event, payload)
    assert rendered is not None
    assert rendered.text
    assert rendered.attachments[0]["footer"].startswith("GitLab · ")


def test_anonymous_user_is_someone():
    payload = load("wiki_page-create")
    del payload["user"]
    rendered = render("wiki_page-create", payload)
    assert rendered.text.startswith("Someone created wiki page [Night shift]")
    assert "author_name" not in rendered.attachments[0]


def test_merge_request_pipeline_links_its_merge_request_and_falls_back_to_project_commit_url():
    payload = load("pipeline-success")
    payload["merge_request"] = {"iid": 12, "title": "Brighter lamp", "url": f"{WEB}/-/merge_requests/12"}
    del payload["commit"]
    fields = render("pipeline-success", payload).attachments[0]["fields"]
    assert fields[2:] == [
        {"title": "Commit", "value": f"[`cccccccc`]({WEB}/-/commit/{'c' * 40})", "short": False},
        {
            "title": "Merge request",
            "value": f"[!12 Brighter lamp]({WEB}/-/merge_requests/12)",
            "short": False,
        },
    ]


@pytest.mark.parametrize(
    "names, subject",
    [
        (
            ("pipeline-failed", "pipeline-success", "pipeline-running", "pipeline-canceled"),
            "pipeline:harbour/lighthouse@main",
        ),
        (("job-failed", "job-success"), "job:harbour/lighthouse@main/unit tests"),
        (("deployment-failed", "deployment-success"), "deployment:harbour/lighthouse/production"),
        (("push", "merge_request-open", "issue-open", "note-commit", "release", "tag_push"), ""),
    ],
)
def test_failure_and_success_of_the_same_thing_share_a_subject(names, subject):
    assert {render(name).subject for name in names} == {subject}


def test_subject_tells_branches_jobs_and_kinds_apart():
    pipeline, job = load("pipeline-failed"), load("job-failed")
    pipeline["object_attributes"]["ref"] = "led-lamp"
    job["ref"] = "led-lamp"
    other_job = load("job-failed")
    other_job["build_name"] = "lint"
    subjects = [
        render("pipeline-failed").subject,
        render("pipeline-failed", pipeline).subject,
        render("job-failed").subject,
        render("job-failed", job).subject,
        render("job-failed", other_job).subject,
    ]
    assert subjects[1] == "pipeline:harbour/lighthouse@led-lamp"
    assert len(set(subjects)) == len(subjects)


def test_commit_messages_and_names_mention_no_one_and_form_no_markup():
    payload = load("push")
    payload["commits"][0]["message"] = "Ping @channel and @all about **this** `x` <b>hi</b> ![i](https://e.t)"
    payload["commits"][0]["author"]["name"] = "@here"
    payload["ref"] = "refs/heads/@all"
    rendered = render("push", payload)
    attachment = rendered.attachments[0]
    assert mention_names(rendered.text) == {"ada"}
    assert mention_names(attachment["text"]) == set()
    assert attachment["text"].split("\n")[0] == (
        f"- [`11111111`]({WEB}/-/commit/{'1' * 40}) Ping @\u2060channel and @\u2060all about "
        "\\*\\*this\\*\\* \\`x\\` \\<b\\>hi\\</b\\> !\\[i\\](https://e.t) (@\u2060here)"
    )


@pytest.mark.parametrize("username", ["here", "All", "channel."])
def test_a_user_named_like_a_channel_wide_mention_is_not_written_as_one(username):
    payload = load("issue-open")
    payload["user"]["username"] = username
    text = render("issue-open", payload).text
    assert text.startswith("Ada Keeper opened issue")
    assert mention_names(text) == set()


def test_comment_bodies_keep_their_markdown_but_mention_no_one():
    payload = load("note-issue")
    payload["object_attributes"]["note"] = "**Careful** @all, see `fuse`"
    assert render("note-issue", payload).attachments[0]["text"] == "**Careful** @\u2060all, see `fuse`"
