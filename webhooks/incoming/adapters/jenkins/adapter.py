"""Jenkins Notification plugin deliveries rendered as posts.

The event is the build phase lowercased ("started", "completed", "finalized", "queued"). Only "started"
and "finalized" are posted: Jenkins sends "completed" and then "finalized" with the same status for every
build, and "finalized" is the one sent once logs and artifacts are archived."""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote

from hub.errors import AppError
from hub.security import same
from webhooks.incoming.adapters import CANCELLED, FAILURE, NEUTRAL, RUNNING, SUCCESS, Rendered, RequestHeaders
from webhooks.incoming.adapters.render import (
    attachment,
    escape,
    header,
    invalid_payload,
    link,
    maybe,
    need,
    subject,
)

FOOTER = "Jenkins"
TOKEN_HEADER = "X-Jenkins-Token"

# status -> (what happened, colour, outcome); an unstable build (failing tests) counts as a failure.
_STATUSES = {
    "SUCCESS": ("succeeded", SUCCESS, "success"),
    "FAILURE": ("failed", FAILURE, "failure"),
    "UNSTABLE": ("is unstable", RUNNING, "failure"),
    "ABORTED": ("was aborted", CANCELLED, "cancelled"),
    "NOT_BUILT": ("was not built", CANCELLED, "cancelled"),
}


def _duration(milliseconds: int) -> str:
    minutes, seconds = divmod(milliseconds // 1000, 60)
    hours, minutes = divmod(minutes, 60)
    parts = [f"{hours} h" if hours else "", f"{minutes} min" if minutes else "", f"{seconds} s"]
    return " ".join(part for part in parts if part)


def _tests(summary: dict[str, Any]) -> str:
    counts = [(need(summary, key, int), key) for key in ("passed", "failed", "skipped")]
    return ", ".join(f"{count} {key}" for count, key in counts)


def _job_path(payload: dict[str, Any]) -> str:
    """The job's full name ("team/api-server"), read from its URL ("job/team/job/api-server/"): the
    plugin's "name" is only the last part, the same for the "main" branch of every multibranch project."""
    parts = (maybe(payload, "url") or "").strip("/").split("/")
    if len(parts) % 2 == 0 and all(part == "job" for part in parts[::2]) and all(parts[1::2]):
        return "/".join(unquote(part) for part in parts[1::2])
    return need(payload, "name")


def _render_build(payload: dict[str, Any], phase: str) -> Rendered:
    job = maybe(payload, "display_name") or need(payload, "name")
    number = need(payload, "build.number", int)
    url = maybe(payload, "build.full_url")
    if phase == "started":
        happened, color, outcome = "started", RUNNING, "running"
    else:
        status = need(payload, "build.status")
        happened, color, outcome = _STATUSES.get(status, (f"finished ({status})", NEUTRAL, ""))
    text = f"Build {link(f'{job} #{number}', url)} {happened}."

    fields: list[tuple[str, str, bool]] = []
    branch = maybe(payload, "build.scm.branch")
    if branch:
        fields.append(("Branch", escape(branch.removeprefix("origin/")), True))
    commit = maybe(payload, "build.scm.commit")
    if commit:
        fields.append(("Commit", escape(commit[:7]), True))
    if phase != "started":
        duration = maybe(payload, "build.duration", int)
        if duration:
            fields.append(("Duration", _duration(duration), True))
        summary = maybe(payload, "build.test_summary", dict)
        if summary:
            fields.append(("Tests", _tests(summary), True))
        culprits = maybe(payload, "build.scm.culprits", list) or []
        if culprits:
            if not all(isinstance(name, str) for name in culprits):
                raise invalid_payload("'build.scm.culprits' has the wrong type")
            fields.append(("Culprits", escape(", ".join(culprits)), False))
    return Rendered(
        phase,
        text,
        (
            attachment(
                fallback=text,
                color=color,
                title=f"{job} #{number} {happened}",
                title_link=url,
                fields=fields,
                footer=FOOTER,
            ),
        ),
        outcome,
        subject("build", _job_path(payload)),
    )


class JenkinsAdapter:
    name = "jenkins"

    def event_name(self, headers: RequestHeaders, payload: dict[str, Any]) -> str:
        return need(payload, "build.phase").lower()

    def verify(self, headers: RequestHeaders, body: bytes, secret: str) -> None:
        # The plugin itself signs nothing: the secret is a header the Jenkins admin adds to the endpoint.
        if not secret:
            return
        if not same(header(headers, TOKEN_HEADER), secret):
            raise AppError(
                "webhooks.jenkins.token.app_error",
                f"The {TOKEN_HEADER} header is missing or does not match the hook's secret.",
                401,
            )

    def render(self, event: str, payload: dict[str, Any]) -> Rendered | None:
        if event not in {"started", "finalized"}:
            return None
        if not isinstance(payload, dict):
            raise invalid_payload("the body is not a JSON object")
        return _render_build(payload, event)


ADAPTER = JenkinsAdapter()
