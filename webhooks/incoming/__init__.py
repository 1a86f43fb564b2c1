"""Incoming webhooks: Mattermost and Slack payloads and the CI adapters (adapters/, one folder each),
the service (service.py), the payload parser (payload.py), the routes (/api/v4/hooks/incoming, the
senders' /hooks/{id}) and the CLI commands `python -m hub webhook create-incoming|modify-incoming`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from webhooks.incoming.service import IncomingWebhookService

if TYPE_CHECKING:
    from flask import Blueprint

    from hub.services import Hub

NAME = "incoming_webhooks"


class IncomingWebhooks:
    name = NAME

    def install(self, hub: Hub) -> None:
        hub.extensions.add_service(NAME, IncomingWebhookService(hub))

    def blueprints(self) -> list[Blueprint]:
        from webhooks.incoming.routes import bp

        return [bp]


def service(hub: Hub) -> IncomingWebhookService:
    return hub.extensions.service(NAME, IncomingWebhookService)


EXTENSION = IncomingWebhooks()
