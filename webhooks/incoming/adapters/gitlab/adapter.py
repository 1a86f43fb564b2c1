"""Turns GitLab project webhook deliveries (push, merge request, pipeline, job, ...) into posts.

Payload shapes follow GitLab's "Webhook events" documentation; older GitLab versions omit some fields,
so everything that is not essential to an event's headline is optional."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from hub.errors import AppError
from hub.security import same
from webhooks.incoming.adapters import CANCELLED, FAILURE, NEUTRAL, RUNNING, SUCCESS, Rendered, RequestHeaders
from webhooks.incoming.adapters.render import (
    clip,
    code,
    escape,
    first_line,
    header,
    link,
    quiet_mentions,
    safe_url,
    subject,
)

_EVENTS_BY_HEADER = {
    "Push Hook": "push",
    "Tag Push Hook": "tag_push",
    "Merge Request Hook": "merge_request",
    "Pipeline Hook": "pipeline",
    "Job Hook": "job",
    "Build Hook": "job",
    "Issue Hook": "issue",
    "Confidential Issue Hook": "issue",
    "Note Hook": "note",
    "Confidential Note Hook": "note",
    "Deployment Hook": "deployment",
    "Release Hook": "release",
    "Wiki Page Hook": "wiki_page",
}
# GitLab's object_kind for jobs is still the pre-rename "build".
_EVENTS_BY_KIND = {"build": "job"}

_MAX_COMMITS = 5
_ZERO_SHA = "0" * 40

# (colour, outcome) per CI status; statuses GitLab may add later fall back to neutral.
_STATUS_STYLE = {
    "success": (SUCCESS, "success"),
    "failed": (FAILURE, "failure"),
    "running": (RUNNING, "running"),
    "pending": (RUNNING, "running"),
    "created": (RUNNING, "running"),
    "preparing": (RUNNING, "running"),
    "waiting_for_resource": (RUNNING, "running"),
    "scheduled": (RUNNING, "running"),
    "canceled": (CANCELLED, "cancelled"),
    "canceling": (CANCELLED, "cancelled"),
    "skipped": (CANCELLED, "cancelled"),
}
_STATUS_WORDS = {
    "success": "succeeded",
    "failed": "failed",
    "running": "is running",
    "pending": "is pending",
    "created": "was created",
    "canceled": "was canceled",
    "skipped": "was skipped",
    "manual": "is waiting for a manual action",
}

_ACTION_WORDS = {
    "open": "opened",
    "reopen": "reopened",
    "update": "updated",
    "close": "closed",
    "merge": "merged",
    "approved": "approved",
    "approval": "approved",
    "unapproved": "unapproved",
    "unapproval": "unapproved",
    "create": "created",
    "delete": "deleted",
}
_ACTION_COLOURS = {"merge": SUCCESS, "close": CANCELLED, "delete": CANCELLED}

# Usernames that would notify the whole channel if written as "@name".
_CHANNEL_WIDE_NAMES = {"all", "channel", "here"}


class _Fields:
    """One object of a payload. Required keys raise a 400 naming the field; optional ones default."""

    def __init__(self, event: str, data: Any, path: str = "") -> None:
        self.event = event
        self.path = path
        if data is None:
            data = {}
        if not isinstance(data, dict):
            raise self._invalid(path or "payload")
        self.data: dict[str, Any] = data

    def _invalid(self, path: str) -> AppError:
        return AppError(
            "webhooks.gitlab.invalid_payload.app_error",
            f"The GitLab {self.event} delivery has a missing or invalid '{path}' field.",
            400,
        )

    def _path(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key

    def obj(self, key: str) -> _Fields:
        if not isinstance(self.data.get(key), dict):
            raise self._invalid(self._path(key))
        return _Fields(self.event, self.data[key], self._path(key))

    def opt_obj(self, key: str) -> _Fields:
        value = self.data.get(key)
        return _Fields(self.event, value if isinstance(value, dict) else None, self._path(key))

    def text(self, key: str) -> str:
        value = self.data.get(key)
        if isinstance(value, bool) or not isinstance(value, (str, int)) or value == "":
            raise self._invalid(self._path(key))
        return str(value)

    def opt_text(self, key: str) -> str:
        value = self.data.get(key)
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            return ""
        return str(value)

    def opt_number(self, key: str) -> float | None:
        """A count or duration: only finite, non-negative numbers are taken."""
        value = self.data.get(key)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return None
        return float(value) if math.isfinite(value) and value >= 0 else None

    def objects(self, key: str) -> list[_Fields]:
        value = self.data.get(key)
        if not isinstance(value, list):
            return []
        return [
            _Fields(self.event, item, f"{self._path(key)}[{i}]")
            for i, item in enumerate(value)
            if isinstance(item, dict)
        ]


@dataclass(frozen=True)
class _Post:
    headline: str
    color: str
    title: str
    title_link: str = ""
    text: str = ""
    fields: list[tuple[str, str, bool]] = field(default_factory=list)
    outcome: str = ""
    subject: str = ""


@dataclass(frozen=True)
class _Actor:
    mention: str
    name: str
    icon: str = ""
    link: str = ""


def _actor(payload: _Fields) -> _Actor:
    """Who caused the delivery: push hooks flatten the user into user_* keys, others nest it in 'user'."""
    user = payload.opt_obj("user")
    username = user.opt_text("username") or payload.opt_text("user_username")
    name = user.opt_text("name") or payload.opt_text("user_name")
    icon = safe_url(user.opt_text("avatar_url") or payload.opt_text("user_avatar"))
    profile = safe_url(payload.opt_text("user_url"))
    # The server also reads "@here." or "@all_" as channel-wide, so the check ignores trailing punctuation.
    channel_wide = username.lower().rstrip("._-") in _CHANNEL_WIDE_NAMES
    if re.fullmatch(r"[A-Za-z0-9_.-]+", username) and not channel_wide:
        mention = f"@{username}"
    else:
        mention = escape(name or username) or "Someone"
    return _Actor(mention, name or username, icon, profile)


def _project(payload: _Fields) -> tuple[str, str, str]:
    """(Markdown link, web URL, path) of the hook's project; older job hooks only carry
    project_name and the repository's homepage."""
    if "project" not in payload.data and "project_name" in payload.data:
        name = payload.text("project_name")
        web_url = payload.opt_obj("repository").opt_text("homepage")
        return link(name, web_url), web_url, name
    project = payload.obj("project")
    name = project.text("name")
    web_url = project.opt_text("web_url")
    return link(name, web_url), web_url, project.opt_text("path_with_namespace") or name


def _ref_link(project_url: str, kind: str, ref: str) -> str:
    return link(ref, f"{project_url}/-/{kind}/{quote(ref, safe='')}" if project_url else "", as_code=True)


def _sha_link(sha: str, url: str) -> str:
    return link(sha[:8], url, as_code=True) if re.fullmatch(r"[0-9a-fA-F]+", sha) else escape(sha[:8])


def _commit_summary(sha: str, url: str, message: str) -> str:
    """A linked short sha followed by the commit message's first line."""
    return f"{_sha_link(sha, url)} {escape(first_line(message))}".rstrip()


def _body(markdown: str) -> str:
    """A comment or description: the author's own GitLab Markdown, shortened, notifying no one here
    (its @names are GitLab users, and an @channel in it must not reach the whole channel)."""
    return quiet_mentions(clip(markdown))


def _status_style(status: str) -> tuple[str, str]:
    return _STATUS_STYLE.get(status, (NEUTRAL, ""))


def _status_words(status: str) -> str:
    return _STATUS_WORDS.get(status, escape(status.replace("_", " ")))


def _action_words(action: str) -> str:
    return _ACTION_WORDS.get(action, escape(action.replace("_", " ")))


def _duration(seconds: float) -> str:
    minutes, secs = divmod(int(round(seconds)), 60)
    return f"{minutes}m {secs}s" if minutes else f"{secs}s"


def _commit_lines(payload: _Fields) -> str:
    commits = payload.objects("commits")
    lines = []
    for commit in commits[:_MAX_COMMITS]:
        author = commit.opt_obj("author").opt_text("name")
        line = "- " + _commit_summary(commit.text("id"), commit.opt_text("url"), commit.opt_text("message"))
        lines.append(f"{line} ({escape(author)})" if author else line)
    total = int(payload.opt_number("total_commits_count") or len(commits))
    if total > _MAX_COMMITS:
        hidden = total - _MAX_COMMITS
        lines.append(f"and {hidden} more commit{'s' if hidden != 1 else ''}")
    return "\n".join(lines)


def _git_ref_parts(payload: _Fields, prefix: str) -> tuple[str, bool, bool]:
    """(short ref name, created, deleted) of a push."""
    ref = payload.text("ref")
    created, deleted = payload.opt_text("before") == _ZERO_SHA, payload.opt_text("after") == _ZERO_SHA
    return ref.removeprefix(prefix), created, deleted


def _render_push(payload: _Fields) -> _Post:
    branch, created, deleted = _git_ref_parts(payload, "refs/heads/")
    project, project_url, _ = _project(payload)
    who = _actor(payload).mention
    if deleted:
        return _Post(f"{who} deleted branch {code(branch)} in {project}", CANCELLED, branch)
    branch_link = _ref_link(project_url, "tree", branch)
    total = int(payload.opt_number("total_commits_count") or len(payload.objects("commits")))
    verb = (
        "pushed the new branch"
        if created and not total
        else (f"pushed {total} commit{'s' if total != 1 else ''} to")
    )
    headline = f"{who} {verb} {branch_link} in {project}"
    return _Post(
        headline,
        NEUTRAL,
        branch,
        safe_url(f"{project_url}/-/tree/{quote(branch, safe='')}"),
        _commit_lines(payload),
    )


def _render_tag_push(payload: _Fields) -> _Post:
    tag, _, deleted = _git_ref_parts(payload, "refs/tags/")
    project, project_url, _ = _project(payload)
    who = _actor(payload).mention
    if deleted:
        return _Post(f"{who} deleted tag {code(tag)} in {project}", CANCELLED, tag)
    sha = payload.opt_text("checkout_sha") or payload.opt_text("after")
    commit_url = f"{project_url}/-/commit/{sha}" if project_url else ""
    fields = [("Commit", _sha_link(sha, commit_url), True)] if sha else []
    return _Post(
        f"{who} pushed tag {_ref_link(project_url, 'tags', tag)} in {project}",
        NEUTRAL,
        tag,
        safe_url(f"{project_url}/-/tags/{quote(tag, safe='')}"),
        fields=fields,
    )


def _labels(payload: _Fields, attributes: _Fields) -> str:
    labels = payload.objects("labels") or attributes.objects("labels")
    return ", ".join(escape(label.opt_text("title")) for label in labels if label.opt_text("title"))


def _render_merge_request(payload: _Fields) -> _Post:
    attributes = payload.obj("object_attributes")
    iid, title, action = attributes.text("iid"), attributes.text("title"), attributes.text("action")
    project, _, _ = _project(payload)
    url = attributes.opt_text("url")
    headline = (
        f"{_actor(payload).mention} {_action_words(action)} merge request "
        f"{link(f'!{iid} {title}', url)} in {project}"
    )
    branches = f"{code(attributes.text('source_branch'))} → {code(attributes.text('target_branch'))}"
    fields = [("Branches", branches, True)]
    labels = _labels(payload, attributes)
    if labels:
        fields.append(("Labels", labels, True))
    text = _body(attributes.opt_text("description")) if action == "open" else ""
    colour = _ACTION_COLOURS.get(action, NEUTRAL)
    return _Post(headline, colour, f"!{iid} {title}", safe_url(url), text, fields)


def _render_issue(payload: _Fields) -> _Post:
    attributes = payload.obj("object_attributes")
    iid, title = attributes.text("iid"), attributes.text("title")
    action = attributes.opt_text("action") or "update"
    project, _, _ = _project(payload)
    url = attributes.opt_text("url")
    headline = (
        f"{_actor(payload).mention} {_action_words(action)} issue {link(f'#{iid} {title}', url)} in {project}"
    )
    fields = []
    names = [assignee.opt_text("name") for assignee in payload.objects("assignees")]
    assignees = ", ".join(escape(name) for name in names if name)
    if assignees:
        fields.append(("Assignees", assignees, True))
    labels = _labels(payload, attributes)
    if labels:
        fields.append(("Labels", labels, True))
    text = _body(attributes.opt_text("description")) if action == "open" else ""
    colour = _ACTION_COLOURS.get(action, NEUTRAL)
    return _Post(headline, colour, f"#{iid} {title}", safe_url(url), text, fields)


def _noteable(payload: _Fields, note: _Fields) -> str:
    """What a comment is on, as Markdown ("merge request [!1 Title](url)")."""
    noteable_type = note.text("noteable_type")
    url = note.opt_text("url")
    if noteable_type == "MergeRequest":
        mr = payload.obj("merge_request")
        return "merge request " + link(f"!{mr.text('iid')} {mr.opt_text('title')}".strip(), url)
    if noteable_type == "Issue":
        issue = payload.obj("issue")
        return "issue " + link(f"#{issue.text('iid')} {issue.opt_text('title')}".strip(), url)
    if noteable_type == "Commit":
        commit = payload.opt_obj("commit")
        return "commit " + _sha_link(commit.opt_text("id") or note.text("commit_id"), url)
    if noteable_type == "Snippet":
        snippet = payload.obj("snippet")
        return "snippet " + link(f"${snippet.text('id')} {snippet.opt_text('title')}".strip(), url)
    return link(noteable_type, url)


def _render_note(payload: _Fields) -> _Post:
    note = payload.obj("object_attributes")
    body = note.text("note")
    project, _, _ = _project(payload)
    target = _noteable(payload, note)
    return _Post(
        f"{_actor(payload).mention} commented on {target} in {project}",
        NEUTRAL,
        "Comment",
        safe_url(note.opt_text("url")),
        _body(body),
    )


def _ci_ref_link(source: _Fields, project_url: str, ref: str) -> str:
    """The branch or tag a pipeline or job ran on (their payloads flag tags with "tag": true)."""
    return _ref_link(project_url, "tags" if source.data.get("tag") is True else "tree", ref)


def _ci_fields(status: str, duration: float | None) -> list[tuple[str, str, bool]]:
    fields = [("Status", escape(status), True)]
    if duration is not None:
        fields.append(("Duration", _duration(duration), True))
    return fields


def _render_pipeline(payload: _Fields) -> _Post:
    attributes = payload.obj("object_attributes")
    pipeline_id, status, ref = attributes.text("id"), attributes.text("status"), attributes.text("ref")
    project, project_url, project_path = _project(payload)
    url = attributes.opt_text("url") or (f"{project_url}/-/pipelines/{pipeline_id}" if project_url else "")
    colour, outcome = _status_style(status)
    headline = (
        f"Pipeline {link(f'#{pipeline_id}', url)} {_status_words(status)} on "
        f"{_ci_ref_link(attributes, project_url, ref)} in {project}"
    )
    fields = _ci_fields(status, attributes.opt_number("duration"))
    sha = attributes.opt_text("sha")
    if sha:
        commit = payload.opt_obj("commit")
        commit_url = commit.opt_text("url") or (f"{project_url}/-/commit/{sha}" if project_url else "")
        fields.append(("Commit", _commit_summary(sha, commit_url, commit.opt_text("message")), False))
    merge_request = payload.opt_obj("merge_request")
    if merge_request.opt_text("iid"):
        label = f"!{merge_request.opt_text('iid')} {merge_request.opt_text('title')}".strip()
        fields.append(("Merge request", link(label, merge_request.opt_text("url")), False))
    failed = [
        escape(build.opt_text("name"))
        for build in payload.objects("builds")
        if build.opt_text("status") == "failed" and build.opt_text("name")
    ]
    if failed:
        fields.append(("Failed jobs", ", ".join(sorted(failed)), False))
    user = _actor(payload)
    if user.name:
        headline += f" (triggered by {user.mention})"
    return _Post(
        headline,
        colour,
        f"Pipeline #{pipeline_id}",
        safe_url(url),
        fields=fields,
        outcome=outcome,
        subject=subject("pipeline", f"{project_path}@{ref}"),
    )


def _render_job(payload: _Fields) -> _Post:
    job_id, name, status = payload.text("build_id"), payload.text("build_name"), payload.text("build_status")
    ref = payload.text("ref")
    project, project_url, project_path = _project(payload)
    url = f"{project_url}/-/jobs/{job_id}" if project_url else ""
    colour, outcome = _status_style(status)
    headline = (
        f"Job {link(name, url)} {_status_words(status)} on "
        f"{_ci_ref_link(payload, project_url, ref)} in {project}"
    )
    fields = _ci_fields(status, payload.opt_number("build_duration"))
    stage = payload.opt_text("build_stage")
    if stage:
        fields.insert(1, ("Stage", escape(stage), True))
    reason = payload.opt_text("build_failure_reason")
    if status == "failed" and reason and reason != "unknown_failure":
        fields.append(("Failure reason", escape(reason.replace("_", " ")), True))
    return _Post(
        headline,
        colour,
        f"Job {name}",
        safe_url(url),
        fields=fields,
        outcome=outcome,
        subject=subject("job", f"{project_path}@{ref}/{name}"),
    )


def _render_deployment(payload: _Fields) -> _Post:
    status, environment = payload.text("status"), payload.text("environment")
    project, _, project_path = _project(payload)
    colour, outcome = _status_style(status)
    environment_link = link(environment, payload.opt_text("environment_external_url"))
    headline = f"Deployment to {environment_link} {_status_words(status)} in {project}"
    fields = []
    ref = payload.opt_text("ref")
    if ref:
        fields.append(("Ref", code(ref), True))
    sha = payload.opt_text("short_sha")
    if sha:
        commit = _commit_summary(sha, payload.opt_text("commit_url"), payload.opt_text("commit_title"))
        fields.append(("Commit", commit, True))
    job_url = safe_url(payload.opt_text("deployable_url"))
    return _Post(
        headline,
        colour,
        f"Deployment to {environment}",
        job_url,
        fields=fields,
        outcome=outcome,
        subject=subject("deployment", f"{project_path}/{environment}"),
    )


def _render_release(payload: _Fields) -> _Post:
    tag = payload.text("tag")
    name = payload.opt_text("name") or tag
    action = payload.opt_text("action") or "update"
    project, project_url, _ = _project(payload)
    url = payload.opt_text("url")
    headline = f"Release {link(name, url)} {_action_words(action)} in {project}"
    fields = [("Tag", _ref_link(project_url, "tags", tag), True)]
    return _Post(
        headline,
        _ACTION_COLOURS.get(action, NEUTRAL),
        name,
        safe_url(url),
        _body(payload.opt_text("description")),
        fields,
    )


def _render_wiki_page(payload: _Fields) -> _Post:
    page = payload.obj("object_attributes")
    title, action = page.text("title"), page.opt_text("action") or "update"
    project, _, _ = _project(payload)
    url = page.opt_text("url")
    page_link = link(title, url)
    headline = f"{_actor(payload).mention} {_action_words(action)} wiki page {page_link} in {project}"
    return _Post(
        headline,
        _ACTION_COLOURS.get(action, NEUTRAL),
        title,
        safe_url(url),
        escape(clip(page.opt_text("message"))),
    )


_RENDERERS: dict[str, Callable[[_Fields], _Post]] = {
    "push": _render_push,
    "tag_push": _render_tag_push,
    "merge_request": _render_merge_request,
    "pipeline": _render_pipeline,
    "job": _render_job,
    "issue": _render_issue,
    "note": _render_note,
    "deployment": _render_deployment,
    "release": _render_release,
    "wiki_page": _render_wiki_page,
}


def _plain(markdown: str) -> str:
    """Notification fallback: link labels without their URLs, escapes and code marks removed."""
    text = re.sub(r"\[((?:\\.|[^\]\\])*)\]\([^)]*\)", r"\1", markdown)
    return re.sub(r"\\(.)", r"\1", text.replace("`", ""))


class GitLabAdapter:
    name = "gitlab"

    def event_name(self, headers: RequestHeaders, payload: dict[str, Any]) -> str:
        event = _EVENTS_BY_HEADER.get(header(headers, "X-Gitlab-Event"))
        if event:
            return event
        kind = payload.get("object_kind") if isinstance(payload, dict) else None
        return _EVENTS_BY_KIND.get(kind, kind) if isinstance(kind, str) else ""

    def verify(self, headers: RequestHeaders, body: bytes, secret: str) -> None:
        if not secret:
            return
        token = header(headers, "X-Gitlab-Token")
        if not same(token, secret):
            raise AppError(
                "webhooks.gitlab.invalid_token.app_error",
                "The X-Gitlab-Token header does not match the hook's secret.",
                401,
            )

    def render(self, event: str, payload: dict[str, Any]) -> Rendered | None:
        renderer = _RENDERERS.get(event)
        if renderer is None:
            return None
        fields = _Fields(event, payload)
        post = renderer(fields)
        _, _, project_path = _project(fields)
        actor = _actor(fields)
        attachment: dict[str, Any] = {
            "fallback": _plain(post.headline),
            "color": post.color,
            "title": escape(post.title),
            "title_link": post.title_link,
            "text": post.text,
            "fields": [
                {"title": title, "value": value, "short": short} for title, value, short in post.fields
            ],
            "footer": f"GitLab · {project_path}",
        }
        if actor.name:
            attachment["author_name"] = actor.name
            if actor.icon:
                attachment["author_icon"] = actor.icon
            if actor.link:
                attachment["author_link"] = actor.link
        return Rendered(
            event=event,
            text=post.headline,
            attachments=(attachment,),
            outcome=post.outcome,
            subject=post.subject,
        )


ADAPTER = GitLabAdapter()
