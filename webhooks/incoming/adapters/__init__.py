"""CI adapters: each turns one tool's webhook deliveries into a post;
every adapter lives in its own folder with its handler, its fixtures (named after events), its test and
its doc page. `registry()` at the end lists them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

# Attachment colours by outcome, shared by every adapter so a status looks the same whatever sent it.
SUCCESS = "#2DA44E"
FAILURE = "#D1242F"
RUNNING = "#D4A72C"
CANCELLED = "#8C959F"
NEUTRAL = "#0969DA"


@dataclass(frozen=True)
class Rendered:
    """What a delivery becomes: the post's Markdown text and Slack-style attachments."""

    event: str
    text: str
    attachments: tuple[dict[str, Any], ...] = field(default=())
    # "failure", "success", "running", "cancelled" or "" when the event has no outcome; used by the
    # "failures and recoveries only" filter.
    outcome: str = ""
    # What the outcome is about, e.g. "pipeline:group/project@main": a success is a recovery only after a
    # failure with the same subject. Set by every event that can have an outcome (even when this one has
    # none, e.g. a skipped run), "" by the others; "<kind>:<key>", at most 255 characters.
    subject: str = ""


class RequestHeaders(Protocol):
    """A delivery's headers: werkzeug's Headers from the web layer (not a Mapping: it keeps repeated
    names and finds a name whatever its case), or any Mapping."""

    def get(self, key: str, default: str, /) -> str: ...

    def items(self) -> Iterable[tuple[str, str]]: ...


class Adapter(Protocol):
    name: str

    def event_name(self, headers: RequestHeaders, payload: dict[str, Any]) -> str:
        """The delivery's event, e.g. 'push' or 'merge_request' (from a header or the payload)."""

    def verify(self, headers: RequestHeaders, body: bytes, secret: str) -> None:
        """Raises hub.errors.AppError (401) when the delivery's secret or signature is wrong."""

    def render(self, event: str, payload: dict[str, Any]) -> Rendered | None:
        """The post for a known event; None for an event this adapter does not handle."""


def registry() -> dict[str, Adapter]:
    """The adapters by name. An explicit list: adding an adapter is adding it here."""
    from webhooks.incoming.adapters.github.adapter import ADAPTER as GITHUB
    from webhooks.incoming.adapters.gitlab.adapter import ADAPTER as GITLAB
    from webhooks.incoming.adapters.jenkins.adapter import ADAPTER as JENKINS

    return {adapter.name: adapter for adapter in (GITLAB, GITHUB, JENKINS)}
