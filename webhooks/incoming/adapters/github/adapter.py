"""GitHub webhook deliveries rendered as posts."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from typing import Any

from hub.errors import AppError
from hub.security import same
from webhooks.incoming.adapters import CANCELLED, FAILURE, NEUTRAL, RUNNING, SUCCESS, Rendered, RequestHeaders
from webhooks.incoming.adapters.render import (
    MAX_LISTED_COMMITS,
    attachment,
    clip,
    escape,
    first_line,
    header,
    invalid_payload,
    link,
    maybe,
    need,
    subject,
)

FOOTER = "GitHub"


def _repo(payload: dict[str, Any]) -> tuple[str, str]:
    """The repository's Markdown link and its URL."""
    url = need(payload, "repository.html_url")
    return link(need(payload, "repository.full_name"), url), url


def _sender(payload: dict[str, Any]) -> tuple[str, tuple[str, str | None, str | None]]:
    """The acting user's login and the attachment author for them."""
    login = need(payload, "sender.login")
    return login, (login, maybe(payload, "sender.avatar_url"), maybe(payload, "sender.html_url"))


def _short_sha(sha: str) -> str:
    return sha[:7]


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def _render_ping(payload: dict[str, Any]) -> Rendered:
    zen = need(payload, "zen")
    hook_id = need(payload, "hook_id", int)
    where = f" for {_repo(payload)[0]}" if maybe(payload, "repository", dict) else ""
    text = f"GitHub webhook {hook_id} is set up{where}."
    return Rendered(
        "ping",
        text,
        (attachment(fallback=text, color=NEUTRAL, title="Ping", text=f"_{escape(zen)}_", footer=FOOTER),),
    )


def _commit_line(payload: dict[str, Any], index: int) -> str:
    commit = f"commits.{index}"
    sha = need(payload, f"{commit}.id")
    message = escape(first_line(need(payload, f"{commit}.message")))
    author = maybe(payload, f"{commit}.author.name")
    by = f" — {escape(author)}" if author else ""
    return f"{link(_short_sha(sha), maybe(payload, f'{commit}.url'))} {message}{by}"


def _render_push(payload: dict[str, Any]) -> Rendered:
    ref = need(payload, "ref")
    repo, repo_url = _repo(payload)
    pusher = escape(need(payload, "pusher.name"))
    _, author = _sender(payload)
    compare = maybe(payload, "compare")
    commits = need(payload, "commits", list)
    is_tag = ref.startswith("refs/tags/")
    name = ref.removeprefix("refs/tags/") if is_tag else ref.removeprefix("refs/heads/")
    kind = "tag" if is_tag else "branch"
    named = link(name, f"{repo_url}/tree/{name}")
    if need(payload, "deleted", bool):
        text = f"{pusher} deleted {kind} {escape(name)} in {repo}."
        color, title, body = CANCELLED, f"Deleted {kind} {name}", ""
    elif is_tag:
        text = f"{pusher} pushed tag {named} to {repo}."
        color, title, body = NEUTRAL, f"Tag {name}", ""
    else:
        if need(payload, "created", bool):
            action = "created branch"
        else:
            action = "force-pushed to" if need(payload, "forced", bool) else "pushed to"
        count = _plural(len(commits), "commit")
        text = f"{pusher} {action} {named} in {repo} ({count}, {link('compare', compare)})."
        lines = [_commit_line(payload, index) for index in range(min(len(commits), MAX_LISTED_COMMITS))]
        hidden = len(commits) - MAX_LISTED_COMMITS
        if hidden > 0:
            lines.append(f"and {_plural(hidden, 'more commit')}")
        color, title, body = NEUTRAL, f"{count} to {name}", "\n".join(lines)
    return Rendered(
        "push",
        text,
        (
            attachment(
                fallback=text,
                color=color,
                title=title,
                title_link=compare,
                text=body,
                author=author,
                footer=FOOTER,
            ),
        ),
    )


_PULL_REQUEST_VERBS = {
    "opened": ("opened", NEUTRAL),
    "reopened": ("reopened", NEUTRAL),
    "closed": ("closed", CANCELLED),
    "synchronize": ("pushed to", NEUTRAL),
    "edited": ("edited", NEUTRAL),
    "ready_for_review": ("marked ready for review", NEUTRAL),
    "converted_to_draft": ("converted to draft", CANCELLED),
}
_SHOWS_BODY = {"opened", "reopened", "edited"}


def _render_pull_request(payload: dict[str, Any]) -> Rendered | None:
    action = need(payload, "action")
    if action not in _PULL_REQUEST_VERBS:
        return None
    verb, color = _PULL_REQUEST_VERBS[action]
    if action == "closed" and maybe(payload, "pull_request.merged", bool):
        verb, color = "merged", SUCCESS
    number = need(payload, "pull_request.number", int)
    title = need(payload, "pull_request.title")
    url = need(payload, "pull_request.html_url")
    repo, _ = _repo(payload)
    login, author = _sender(payload)
    text = f"{escape(login)} {verb} pull request {link(f'#{number} {title}', url)} in {repo}."
    head = need(payload, "pull_request.head.ref")
    base = need(payload, "pull_request.base.ref")
    body = clip(maybe(payload, "pull_request.body") or "") if action in _SHOWS_BODY else ""
    return Rendered(
        "pull_request",
        text,
        (
            attachment(
                fallback=text,
                color=color,
                title=f"#{number} {title}",
                title_link=url,
                text=escape(body),
                fields=[("Branches", f"{escape(head)} → {escape(base)}", True)],
                author=author,
                footer=FOOTER,
            ),
        ),
    )


_ISSUE_VERBS = {"opened": NEUTRAL, "reopened": NEUTRAL, "edited": NEUTRAL, "closed": CANCELLED}


def _render_issues(payload: dict[str, Any]) -> Rendered | None:
    action = need(payload, "action")
    if action not in _ISSUE_VERBS:
        return None
    number = need(payload, "issue.number", int)
    title = need(payload, "issue.title")
    url = need(payload, "issue.html_url")
    repo, _ = _repo(payload)
    login, author = _sender(payload)
    text = f"{escape(login)} {action} issue {link(f'#{number} {title}', url)} in {repo}."
    body = clip(maybe(payload, "issue.body") or "") if action != "closed" else ""
    return Rendered(
        "issues",
        text,
        (
            attachment(
                fallback=text,
                color=_ISSUE_VERBS[action],
                title=f"#{number} {title}",
                title_link=url,
                text=escape(body),
                author=author,
                footer=FOOTER,
            ),
        ),
    )


_RELEASE_VERBS = {
    "published": "published release",
    "created": "created release",
    "prereleased": "published pre-release",
}


def _render_release(payload: dict[str, Any]) -> Rendered | None:
    action = need(payload, "action")
    if action not in _RELEASE_VERBS:
        return None
    tag = need(payload, "release.tag_name")
    name = maybe(payload, "release.name") or tag
    url = need(payload, "release.html_url")
    repo, _ = _repo(payload)
    login, author = _sender(payload)
    text = f"{escape(login)} {_RELEASE_VERBS[action]} {link(name, url)} of {repo}."
    fields = [("Tag", escape(tag), True)]
    if maybe(payload, "release.prerelease", bool):
        fields.append(("Pre-release", "yes", True))
    return Rendered(
        "release",
        text,
        (
            attachment(
                fallback=text,
                color=SUCCESS,
                title=name,
                title_link=url,
                text=escape(clip(maybe(payload, "release.body") or "")),
                fields=fields,
                author=author,
                footer=FOOTER,
            ),
        ),
    )


# conclusion -> (what happened, colour, outcome)
_CONCLUSIONS = {
    "success": ("succeeded", SUCCESS, "success"),
    "failure": ("failed", FAILURE, "failure"),
    "timed_out": ("timed out", FAILURE, "failure"),
    "startup_failure": ("failed to start", FAILURE, "failure"),
    "cancelled": ("was cancelled", CANCELLED, "cancelled"),
    "skipped": ("was skipped", CANCELLED, ""),
    "stale": ("went stale", CANCELLED, ""),
    "neutral": ("finished", NEUTRAL, ""),
    "action_required": ("needs action", RUNNING, ""),
}


def _run_state(status: str, conclusion: str | None) -> tuple[str, str, str]:
    if status == "completed":
        unknown = (f"completed ({conclusion or 'no conclusion'})", NEUTRAL, "")
        return _CONCLUSIONS.get(conclusion or "", unknown)
    if status == "in_progress":
        return "is running", RUNNING, "running"
    return "is queued", RUNNING, "running"


def _commit_field(payload: dict[str, Any], sha: str) -> tuple[str, str, bool]:
    return "Commit", link(_short_sha(sha), f"{need(payload, 'repository.html_url')}/commit/{sha}"), True


def _render_run(
    payload: dict[str, Any],
    event: str,
    label: str,
    name: str,
    url: str | None,
    state: tuple[str, str, str],
    fields: list[tuple[str, str, bool]],
    subject_key: str,
) -> Rendered:
    """`subject_key` says which run this is within the repository ("@main/CI"), across its attempts."""
    repo, _ = _repo(payload)
    _, author = _sender(payload)
    happened, color, outcome = state
    text = f"{label} {link(name, url)} {happened} in {repo}."
    return Rendered(
        event,
        text,
        (
            attachment(
                fallback=text,
                color=color,
                title=f"{label} {name} {happened}",
                title_link=url,
                fields=fields,
                author=author,
                footer=FOOTER,
            ),
        ),
        outcome,
        subject(event, need(payload, "repository.full_name") + subject_key),
    )


def _render_workflow_run(payload: dict[str, Any]) -> Rendered | None:
    if need(payload, "action") not in {"requested", "in_progress", "completed"}:
        return None
    run = "workflow_run"
    name = maybe(payload, f"{run}.name") or maybe(payload, "workflow.name") or "workflow"
    number = need(payload, f"{run}.run_number", int)
    branch = need(payload, f"{run}.head_branch")
    state = _run_state(need(payload, f"{run}.status"), maybe(payload, f"{run}.conclusion"))
    fields = [
        ("Branch", escape(branch), True),
        _commit_field(payload, need(payload, f"{run}.head_sha")),
        ("Trigger", escape(need(payload, f"{run}.event")), True),
    ]
    title = maybe(payload, f"{run}.display_title")
    if title:
        fields.append(("Title", escape(title), False))
    return _render_run(
        payload,
        "workflow_run",
        "Workflow",
        f"{name} #{number}",
        need(payload, f"{run}.html_url"),
        state,
        fields,
        f"@{branch}/{name}",
    )


def _render_workflow_job(payload: dict[str, Any]) -> Rendered | None:
    if need(payload, "action") not in {"queued", "waiting", "in_progress", "completed"}:
        return None
    job = "workflow_job"
    name = need(payload, f"{job}.name")
    workflow = maybe(payload, f"{job}.workflow_name") or ""
    branch = maybe(payload, f"{job}.head_branch") or ""
    sha = need(payload, f"{job}.head_sha")
    state = _run_state(need(payload, f"{job}.status"), maybe(payload, f"{job}.conclusion"))
    fields = [
        ("Workflow", escape(workflow), True),
        ("Branch", escape(branch), True),
        _commit_field(payload, sha),
    ]
    # Older payloads lack workflow_name; the run id then keeps jobs of different workflows apart.
    workflow_key = workflow or str(maybe(payload, f"{job}.run_id", int) or "")
    return _render_run(
        payload,
        "workflow_job",
        "Job",
        name,
        need(payload, f"{job}.html_url"),
        state,
        [field for field in fields if field[1]],
        f"@{branch or sha}/{workflow_key}/{name}",
    )


def _render_check_run(payload: dict[str, Any]) -> Rendered | None:
    if need(payload, "action") not in {"created", "completed", "rerequested"}:
        return None
    check = "check_run"
    name = need(payload, f"{check}.name")
    sha = need(payload, f"{check}.head_sha")
    state = _run_state(need(payload, f"{check}.status"), maybe(payload, f"{check}.conclusion"))
    fields = [_commit_field(payload, sha)]
    branch = maybe(payload, f"{check}.check_suite.head_branch")
    if branch:
        fields.insert(0, ("Branch", escape(branch), True))
    app = maybe(payload, f"{check}.app.name")
    if app:
        fields.append(("App", escape(app), True))
    return _render_run(
        payload,
        "check_run",
        "Check",
        name,
        maybe(payload, f"{check}.html_url"),
        state,
        fields,
        f"@{branch or sha}/{name}",
    )


_RENDERERS: dict[str, Callable[[dict[str, Any]], Rendered | None]] = {
    "ping": _render_ping,
    "push": _render_push,
    "pull_request": _render_pull_request,
    "issues": _render_issues,
    "release": _render_release,
    "workflow_run": _render_workflow_run,
    "workflow_job": _render_workflow_job,
    "check_run": _render_check_run,
}


class GitHubAdapter:
    name = "github"

    def event_name(self, headers: RequestHeaders, payload: dict[str, Any]) -> str:
        event = header(headers, "X-GitHub-Event")
        if not event:
            raise AppError(
                "webhooks.github.event_missing.app_error", "The X-GitHub-Event header is missing.", 400
            )
        return event

    def verify(self, headers: RequestHeaders, body: bytes, secret: str) -> None:
        if not secret:
            return
        expected = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
        given = header(headers, "X-Hub-Signature-256")
        if not same(given, expected):
            raise AppError(
                "webhooks.github.signature.app_error",
                "The X-Hub-Signature-256 signature is missing or does not match the hook's secret.",
                401,
            )

    def render(self, event: str, payload: dict[str, Any]) -> Rendered | None:
        renderer = _RENDERERS.get(event)
        if renderer is None:
            return None
        if not isinstance(payload, dict):
            raise invalid_payload("the body is not a JSON object")
        return renderer(payload)


ADAPTER = GitHubAdapter()
