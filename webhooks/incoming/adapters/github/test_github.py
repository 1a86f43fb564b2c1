"""The GitHub adapter: every own fixture renders to exactly the post below; GitHub's published samples
render without error; signatures and malformed payloads are refused with the right AppError."""

from __future__ import annotations

import copy
import hashlib
import hmac
import json
from pathlib import Path
from typing import Any

import pytest

from hub.errors import AppError
from hub.services.posts import mention_names
from webhooks.incoming.adapters import CANCELLED, FAILURE, NEUTRAL, RUNNING, SUCCESS
from webhooks.incoming.adapters.expectations import assert_renders_as
from webhooks.incoming.adapters.github.adapter import ADAPTER

FIXTURES = Path(__file__).parent / "fixtures"
SHARED_FIXTURES = Path("/work/shared/fixtures/github")

REPO = "[hubbub-dev/hubbub](https://github.com/hubbub-dev/hubbub)"
R = "https://github.com/hubbub-dev/hubbub"
ADA = {
    "author_name": "ada",
    "author_icon": "https://avatars.githubusercontent.com/u/4242?v=4",
    "author_link": "https://github.com/ada",
}
SHA = "5eed" * 10
COMMIT_FIELD = {"title": "Commit", "value": f"[5eed5ee]({R}/commit/{SHA})", "short": True}
PR_TITLE = "#42 Add \\[GitHub\\] adapter"
PR_LINK = f"[{PR_TITLE}]({R}/pull/42)"
PR_FIELDS = [{"title": "Branches", "value": "feature/github → main", "short": True}]
ISSUE_LINK = f"[#7 Support GitHub webhooks]({R}/issues/7)"
RUN_URL = f"{R}/actions/runs/8800"
RUN_FIELDS = [
    {"title": "Branch", "value": "main", "short": True},
    COMMIT_FIELD,
    {"title": "Trigger", "value": "push", "short": True},
    {"title": "Title", "value": "Add \\[GitHub\\] adapter", "short": False},
]


def commit_line(digit: int, message: str) -> str:
    sha = f"{digit}" * 8 + "a1b2c3d4e5f60718293a4b5c6d7e8f90"
    return f"[{str(digit) * 7}]({R}/commit/{sha}) {message} — Ada Lovelace"


def post(headline: str, outcome: str = "", **attachment: Any) -> tuple[str, dict[str, Any], str]:
    """The expected text, the one attachment (fallback is the text, footer GitHub) and the outcome."""
    author = attachment.pop("author", ADA)
    return (
        headline,
        {
            "fallback": headline,
            "color": attachment.pop("color"),
            "title": attachment.pop("title"),
            **({"title_link": attachment.pop("title_link")} if "title_link" in attachment else {}),
            "text": attachment.pop("text", ""),
            "fields": attachment.pop("fields", []),
            **author,
            "footer": "GitHub",
        },
        outcome,
    )


def run_post(happened: str, color: str, outcome: str) -> tuple[str, dict[str, Any], str]:
    return post(
        f"Workflow [CI #311]({RUN_URL}) {happened} in {REPO}.",
        outcome,
        color=color,
        title=f"Workflow CI #311 {happened}",
        title_link=RUN_URL,
        fields=RUN_FIELDS,
    )


EXPECTED: dict[str, tuple[str, dict[str, Any], str] | None] = {
    "ping.json": post(
        f"GitHub webhook 5150 is set up for {REPO}.",
        color=NEUTRAL,
        title="Ping",
        text="_Keep it logically awesome._",
        author={},
    ),
    "push.json": post(
        f"ada pushed to [main]({R}/tree/main) in {REPO} (7 commits, "
        f"[compare]({R}/compare/0f0f0f0f0f0f...77777777a1b2)).",
        color=NEUTRAL,
        title="7 commits to main",
        title_link=f"{R}/compare/0f0f0f0f0f0f...77777777a1b2",
        text="\n".join(
            [
                commit_line(1, "Add the webhook adapters"),
                commit_line(2, "Fix \\[parser\\] edge case"),
                commit_line(3, "Render releases"),
                commit_line(4, "Test pushes"),
                commit_line(5, "Document adapters"),
                "and 2 more commits",
            ]
        ),
    ),
    "push-tag.json": post(
        f"ada pushed tag [v1.2.0]({R}/tree/v1.2.0) to {REPO}.",
        color=NEUTRAL,
        title="Tag v1.2.0",
        title_link=f"{R}/compare/v1.2.0",
    ),
    "push-deleted-branch.json": post(
        f"ada deleted branch feature/old-ui in {REPO}.",
        color=CANCELLED,
        title="Deleted branch feature/old-ui",
        title_link=f"{R}/compare/0f0f0f0f0f0f...000000000000",
    ),
    "pull_request-opened.json": post(
        f"ada opened pull request {PR_LINK} in {REPO}.",
        color=NEUTRAL,
        title=PR_TITLE,
        title_link=f"{R}/pull/42",
        text="Renders pushes, pull requests and runs.\n\nCloses #7.",
        fields=PR_FIELDS,
    ),
    "pull_request-closed.json": post(
        f"ada closed pull request {PR_LINK} in {REPO}.",
        color=CANCELLED,
        title=PR_TITLE,
        title_link=f"{R}/pull/42",
        fields=PR_FIELDS,
    ),
    "pull_request-closed-merged.json": post(
        f"ada merged pull request {PR_LINK} in {REPO}.",
        color=SUCCESS,
        title=PR_TITLE,
        title_link=f"{R}/pull/42",
        fields=PR_FIELDS,
    ),
    "pull_request-synchronize.json": post(
        f"ada pushed to pull request {PR_LINK} in {REPO}.",
        color=NEUTRAL,
        title=PR_TITLE,
        title_link=f"{R}/pull/42",
        fields=PR_FIELDS,
    ),
    "pull_request-labeled.json": None,
    "issues-opened.json": post(
        f"ada opened issue {ISSUE_LINK} in {REPO}.",
        color=NEUTRAL,
        title="#7 Support GitHub webhooks",
        title_link=f"{R}/issues/7",
        text="We want pushes in #dev.",
    ),
    "issues-closed.json": post(
        f"ada closed issue {ISSUE_LINK} in {REPO}.",
        color=CANCELLED,
        title="#7 Support GitHub webhooks",
        title_link=f"{R}/issues/7",
    ),
    "release-published.json": post(
        f"ada published release [Hubbub 1.2]({R}/releases/tag/v1.2.0) of {REPO}.",
        color=SUCCESS,
        title="Hubbub 1.2",
        title_link=f"{R}/releases/tag/v1.2.0",
        text="Webhook adapters for GitHub and Jenkins.",
        fields=[{"title": "Tag", "value": "v1.2.0", "short": True}],
    ),
    "release-prereleased.json": post(
        f"ada published pre-release [v1.3.0-rc1]({R}/releases/tag/v1.3.0-rc1) of {REPO}.",
        color=SUCCESS,
        title="v1.3.0-rc1",
        title_link=f"{R}/releases/tag/v1.3.0-rc1",
        fields=[
            {"title": "Tag", "value": "v1.3.0-rc1", "short": True},
            {"title": "Pre-release", "value": "yes", "short": True},
        ],
    ),
    "workflow_run-requested.json": run_post("is queued", RUNNING, "running"),
    "workflow_run-in_progress.json": run_post("is running", RUNNING, "running"),
    "workflow_run-completed-success.json": run_post("succeeded", SUCCESS, "success"),
    "workflow_run-completed-failure.json": run_post("failed", FAILURE, "failure"),
    "workflow_run-completed-cancelled.json": run_post("was cancelled", CANCELLED, "cancelled"),
    "workflow_job-completed-failure.json": post(
        f"Job [tests (postgres)]({R}/actions/runs/8800/job/31337) failed in {REPO}.",
        "failure",
        color=FAILURE,
        title="Job tests (postgres) failed",
        title_link=f"{R}/actions/runs/8800/job/31337",
        fields=[
            {"title": "Workflow", "value": "CI", "short": True},
            {"title": "Branch", "value": "main", "short": True},
            COMMIT_FIELD,
        ],
    ),
    "check_run-completed-timed_out.json": post(
        f"Check [lint]({R}/runs/4711) timed out in {REPO}.",
        "failure",
        color=FAILURE,
        title="Check lint timed out",
        title_link=f"{R}/runs/4711",
        fields=[
            {"title": "Branch", "value": "feature/github", "short": True},
            COMMIT_FIELD,
            {"title": "App", "value": "GitHub Actions", "short": True},
        ],
    ),
}


def event_of(path: Path) -> str:
    return path.stem.split("-")[0]


def load(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text())


def test_every_own_fixture_has_an_expected_post() -> None:
    assert sorted(path.name for path in FIXTURES.glob("*.json")) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_own_fixture_renders_exactly(name: str) -> None:
    rendered = ADAPTER.render(event_of(FIXTURES / name), load(FIXTURES / name))
    expected = EXPECTED[name]
    assert_renders_as(rendered, event_of(FIXTURES / name), expected)


SHARED = sorted(SHARED_FIXTURES.glob("*.json")) if SHARED_FIXTURES.is_dir() else []


@pytest.mark.skipif(not SHARED, reason="GitHub's sample payloads are not available")
@pytest.mark.parametrize("path", SHARED, ids=[path.name for path in SHARED])
def test_github_sample_payload_renders(path: Path) -> None:
    event = ADAPTER.event_name({"X-GitHub-Event": event_of(path)}, load(path))
    rendered = ADAPTER.render(event, load(path))
    if rendered is not None:
        assert rendered.text and len(rendered.attachments) == 1


def test_event_name_comes_from_the_header_whatever_its_case() -> None:
    assert ADAPTER.event_name({"x-github-event": "push"}, {}) == "push"
    with pytest.raises(AppError) as raised:
        ADAPTER.event_name({}, {})
    assert raised.value.status_code == 400


def test_unknown_event_renders_nothing() -> None:
    assert ADAPTER.render("star", {"action": "created"}) is None


BODY = b'{"zen": "Design for failure."}'


def signature(secret: str, body: bytes = BODY) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def test_correct_signature_is_accepted() -> None:
    ADAPTER.verify({"X-Hub-Signature-256": signature("s3cret")}, BODY, "s3cret")


def test_without_a_secret_nothing_is_checked() -> None:
    ADAPTER.verify({}, BODY, "")


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"X-Hub-Signature-256": signature("other")},
        {"X-Hub-Signature-256": signature("s3cret", b"{}")},
        {"X-Hub-Signature-256": signature("s3cret").removeprefix("sha256=")},
    ],
    ids=["missing", "wrong-secret", "other-body", "no-prefix"],
)
def test_bad_signature_is_refused(headers: dict[str, str]) -> None:
    with pytest.raises(AppError) as raised:
        ADAPTER.verify(headers, BODY, "s3cret")
    assert (raised.value.id, raised.value.status_code) == ("webhooks.github.signature.app_error", 401)


def test_links_only_for_http_urls_and_brackets_escaped() -> None:
    payload = load(FIXTURES / "issues-opened.json")
    payload["issue"]["html_url"] = "javascript:alert(1)"
    payload["issue"]["title"] = "x](javascript:alert(1)) [y"
    rendered = ADAPTER.render("issues", payload)
    assert rendered is not None
    assert rendered.text == f"ada opened issue #7 x\\](javascript:alert(1)) \\[y in {REPO}."
    assert "title_link" not in rendered.attachments[0]


def test_push_of_a_single_commit_is_not_truncated() -> None:
    payload = load(FIXTURES / "push.json")
    payload["commits"] = payload["commits"][:1]
    payload["forced"] = True
    rendered = ADAPTER.render("push", payload)
    assert rendered is not None
    assert rendered.text.startswith(f"ada force-pushed to [main]({R}/tree/main) in {REPO} (1 commit, ")
    assert rendered.attachments[0]["text"] == commit_line(1, "Add the webhook adapters")


def _without(payload: dict[str, Any], *path: str) -> dict[str, Any]:
    broken = copy.deepcopy(payload)
    target = broken
    for key in path[:-1]:
        target = target[key]
    del target[path[-1]]
    return broken


def _with(payload: dict[str, Any], value: Any, *path: str) -> dict[str, Any]:
    broken = copy.deepcopy(payload)
    target = broken
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return broken


@pytest.mark.parametrize(
    ("fixture", "mutate", "detail"),
    [
        ("push.json", lambda p: _without(p, "ref"), "'ref' is missing"),
        ("push.json", lambda p: _with(p, "many", "commits"), "'commits' has the wrong type"),
        ("push.json", lambda p: _with(p, [42], "commits"), "'commits.0.id' is not inside an object"),
        ("ping.json", lambda p: _with(p, "5150", "hook_id"), "'hook_id' has the wrong type"),
        ("pull_request-opened.json", lambda p: _with(p, [], "pull_request"), "'pull_request.number' is not"),
        ("pull_request-opened.json", lambda p: _with(p, True, "pull_request", "number"), "wrong type"),
        ("issues-opened.json", lambda p: _without(p, "issue", "title"), "'issue.title' is missing"),
        ("release-published.json", lambda p: _without(p, "release"), "'release.tag_name' is missing"),
        ("workflow_run-completed-failure.json", lambda p: _without(p, "repository"), "'repository.html_url'"),
        ("workflow_job-completed-failure.json", lambda p: _with(p, 1, "workflow_job", "status"), "wrong"),
        ("check_run-completed-timed_out.json", lambda p: _without(p, "action"), "'action' is missing"),
    ],
)
def test_malformed_payload_is_a_400(fixture: str, mutate: Any, detail: str) -> None:
    with pytest.raises(AppError) as raised:
        ADAPTER.render(event_of(FIXTURES / fixture), mutate(load(FIXTURES / fixture)))
    assert (raised.value.id, raised.value.status_code) == ("webhooks.adapter.invalid_payload.app_error", 400)
    assert detail in raised.value.message


def test_body_that_is_not_an_object_is_a_400() -> None:
    with pytest.raises(AppError) as raised:
        ADAPTER.render("push", [1, 2])  # type: ignore[arg-type]
    assert raised.value.status_code == 400


def _subject(fixture: str, payload: dict[str, Any] | None = None) -> str:
    rendered = ADAPTER.render(event_of(FIXTURES / fixture), payload or load(FIXTURES / fixture))
    assert rendered is not None
    return rendered.subject


@pytest.mark.parametrize(
    ("fixtures", "subject"),
    [
        (
            [
                "workflow_run-requested.json",
                "workflow_run-completed-failure.json",
                "workflow_run-completed-success.json",
                "workflow_run-completed-cancelled.json",
            ],
            "workflow_run:hubbub-dev/hubbub@main/CI",
        ),
        (["workflow_job-completed-failure.json"], "workflow_job:hubbub-dev/hubbub@main/CI/tests (postgres)"),
        (["check_run-completed-timed_out.json"], "check_run:hubbub-dev/hubbub@feature/github/lint"),
        (["push.json", "pull_request-opened.json", "issues-opened.json", "release-published.json"], ""),
    ],
)
def test_failure_and_success_of_the_same_run_share_a_subject(fixtures: list[str], subject: str) -> None:
    assert {_subject(fixture) for fixture in fixtures} == {subject}


def test_subject_tells_branches_and_workflows_apart() -> None:
    failure = "workflow_run-completed-failure.json"
    other_branch = _with(load(FIXTURES / failure), "feature/github", "workflow_run", "head_branch")
    other_workflow = _with(load(FIXTURES / failure), "Nightly", "workflow_run", "name")
    subjects = [_subject(failure), _subject(failure, other_branch), _subject(failure, other_workflow)]
    assert subjects[1] == "workflow_run:hubbub-dev/hubbub@feature/github/CI"
    assert len(set(subjects)) == len(subjects)


def test_job_and_check_subjects_fall_back_to_the_run_and_the_commit() -> None:
    job = _without(load(FIXTURES / "workflow_job-completed-failure.json"), "workflow_job", "workflow_name")
    job = _without(job, "workflow_job", "head_branch")
    assert _subject("workflow_job-completed-failure.json", job) == (
        f"workflow_job:hubbub-dev/hubbub@{SHA}/8800/tests (postgres)"
    )
    check = _without(load(FIXTURES / "check_run-completed-timed_out.json"), "check_run", "check_suite")
    assert _subject("check_run-completed-timed_out.json", check) == f"check_run:hubbub-dev/hubbub@{SHA}/lint"


def test_commit_messages_mention_no_one_and_form_no_markup() -> None:
    payload = load(FIXTURES / "push.json")
    payload["commits"][0]["message"] = "Tell @channel and @here: *done* `now` <b>x</b> ![i](https://e.test)"
    rendered = ADAPTER.render("push", payload)
    assert rendered is not None
    assert mention_names(rendered.text + rendered.attachments[0]["text"]) == set()
    assert rendered.attachments[0]["text"].split("\n")[0] == (
        f"[1111111]({R}/commit/{'1' * 8}a1b2c3d4e5f60718293a4b5c6d7e8f90) Tell @\u2060channel and "
        "@\u2060here: \\*done\\* \\`now\\` \\<b\\>x\\</b\\> !\\[i\\](https://e.test) — Ada Lovelace"
    )
