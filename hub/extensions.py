"""The core's extension points. Integrations (webhooks/), bridges and bots reach the core only through
these: post hooks around the post path, command providers, delivery kinds for the durable delivery
queue, and jobs for the long-lived worker. An extension installs itself into a Hub's `Extensions`
registry; the composition root (hubbub/) decides which extensions a process gets."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from hub.errors import AppError
from hub.permissions import Actor

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from hub import models
    from hub.outbound import OutboundResponse
    from hub.services import Hub

IN_CHANNEL = "in_channel"
EPHEMERAL = "ephemeral"

ServiceT = TypeVar("ServiceT")


class Extension(Protocol):
    """A whole integration: `install` builds its service and registers it and its hooks."""

    name: str

    def install(self, hub: Hub) -> None: ...


class PostHook:
    """Runs around the post path, inside the writer's transaction (Mattermost's MessageWillBePosted,
    MessageWillBeUpdated and MessageHasBeenPosted). The `will_` methods return the props to store (a
    hook may rewrite them, e.g. to seal integration URLs); an AppError refuses the post. The defaults
    change nothing, so a hook overrides only what it needs."""

    def will_be_posted(self, s: Session, post_id: str, props: dict[str, Any]) -> dict[str, Any]:
        return props

    def will_be_updated(
        self, s: Session, post_id: str, props: dict[str, Any], *, by_integration: bool
    ) -> dict[str, Any]:
        return props

    def will_be_shown_ephemeral(
        self, post_id: str, channel_id: str, root_id: str, props: dict[str, Any]
    ) -> dict[str, Any]:
        return props

    def has_been_posted(self, s: Session, channel: models.Channel, post: models.Post) -> None:
        """After the post's row is flushed and before its event: work that commits with the post."""


@dataclass(frozen=True)
class CommandCall:
    """One execution of `/trigger text` by a user in a channel (Mattermost's CommandArgs)."""

    actor: Actor
    team_id: str
    channel_id: str
    root_id: str
    trigger: str  # without the slash, lowercased: "echo"
    text: str  # what follows the trigger, stripped: "hello 2"
    site_url: str


@dataclass(frozen=True)
class CommandResponse:
    """Mattermost's CommandResponse. `in_channel` answers become a post in the channel by the caller
    (or with the overrides a custom command may set); `ephemeral` answers are shown to the caller only."""

    response_type: str = EPHEMERAL
    text: str = ""
    username: str = ""
    icon_url: str = ""
    channel_id: str = ""
    type: str = ""
    props: dict[str, Any] = field(default_factory=dict)
    goto_location: str = ""
    trigger_id: str = ""
    skip_slack_parsing: bool = False
    attachments: list[dict[str, Any]] | None = None
    extra_responses: tuple[CommandResponse, ...] = ()

    def to_api(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "response_type": self.response_type,
            "text": self.text,
            "username": self.username,
            "channel_id": self.channel_id,
            "icon_url": self.icon_url,
            "type": self.type,
            "props": self.props,
            "goto_location": self.goto_location,
            "trigger_id": self.trigger_id,
            "skip_slack_parsing": self.skip_slack_parsing,
        }
        if self.attachments is not None:
            data["attachments"] = self.attachments
        if self.extra_responses:
            data["extra_responses"] = [extra.to_api() for extra in self.extra_responses]
        return data


def ephemeral(text: str) -> CommandResponse:
    return CommandResponse(EPHEMERAL, text)


class ProvidedCommand(Protocol):
    """A slash command answered inside Hubbub (the built-ins, a bot's commands). `execute` works through
    the hub's services as the caller (call.actor), so permissions are the caller's; bad arguments
    answer an ephemeral message (Mattermost's style). The members are read-only, so a frozen dataclass
    (the built-ins) provides them."""

    @property
    def trigger(self) -> str: ...
    @property
    def display_name(self) -> str: ...
    @property
    def auto_complete_desc(self) -> str: ...
    @property
    def auto_complete_hint(self) -> str: ...

    def execute(self, hub: Hub, call: CommandCall) -> CommandResponse: ...


class CommandProvider(Protocol):
    """Supplies commands by trigger for a team. Custom commands a team registers shadow them."""

    def commands(self, team_id: str) -> Mapping[str, ProvidedCommand]: ...


class DeliveryKind(Protocol):
    """One kind of integration whose requests go through the durable delivery queue
    (hub.services.deliveries): who signs them, what their answer does, what an outcome changes."""

    name: str

    def signing_secret(self, s: Session, delivery: models.Delivery) -> str | None:
        """The secret to sign with, or None when the source is gone or switched off (nothing is sent)."""

    def answered(self, hub: Hub, delivery: models.Delivery, response: OutboundResponse) -> None:
        """Acts on a successful answer, after the attempt is recorded."""

    def record_outcome(self, hub: Hub, s: Session, delivery: models.Delivery, succeeded: bool) -> None:
        """Runs in the transaction that records the attempt."""


class WorkerJob(Protocol):
    """Long-lived work of the worker (the delivery loop, bridges, the scheduler, bots). `run` returns
    once `stop` is set; a job that must run once across processes takes a lease itself."""

    name: str

    def run(self, hub: Hub, stop: threading.Event) -> None: ...


class Extensions:
    """What the installed extensions registered with one Hub."""

    def __init__(self) -> None:
        self.post_hooks: list[PostHook] = []
        self.command_providers: list[CommandProvider] = []
        self.delivery_kinds: dict[str, DeliveryKind] = {}
        self.worker_jobs: list[WorkerJob] = []
        self._services: dict[str, object] = {}

    def add_delivery_kind(self, kind: DeliveryKind) -> None:
        if kind.name in self.delivery_kinds:
            raise ValueError(f"delivery kind {kind.name!r} is registered twice")
        self.delivery_kinds[kind.name] = kind

    def add_service(self, name: str, service: object) -> None:
        if name in self._services:
            raise ValueError(f"extension service {name!r} is registered twice")
        self._services[name] = service

    def service(self, name: str, kind: type[ServiceT]) -> ServiceT:
        """The service an extension registered under `name`; a clear error when it is not installed."""
        found = self._services.get(name)
        if found is None or not isinstance(found, kind):
            raise AppError(
                "app.extension.not_installed.app_error",
                "This feature is not available on this server.",
                501,
                f"the extension service {name!r} is not installed",
            )
        return found

    def provided_commands(self, team_id: str) -> dict[str, ProvidedCommand]:
        found: dict[str, ProvidedCommand] = {}
        for provider in self.command_providers:
            for trigger, command in provider.commands(team_id).items():
                found.setdefault(trigger, command)
        return found
