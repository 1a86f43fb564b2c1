"""Outgoing webhooks: the service (service.py) whose post hook queues a delivery for each triggered
hook, the request and answer formats (protocol.py), the delivery kind that posts the answers, the
routes under /api/v4/hooks/outgoing and the CLI commands `python -m hub webhook create-outgoing|...`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from webhooks.outgoing.service import OUTGOING_WEBHOOK_DELIVERIES, OutgoingWebhookService

if TYPE_CHECKING:
    from flask import Blueprint

    from hub.services import Hub

NAME = "outgoing_webhooks"


class OutgoingWebhooks:
    name = NAME

    def install(self, hub: Hub) -> None:
        hooks = OutgoingWebhookService(hub)
        hub.extensions.add_service(NAME, hooks)
        hub.extensions.post_hooks.append(hooks)
        hub.extensions.add_delivery_kind(OUTGOING_WEBHOOK_DELIVERIES)

    def blueprints(self) -> list[Blueprint]:
        from webhooks.outgoing.routes import bp

        return [bp]


def service(hub: Hub) -> OutgoingWebhookService:
    return hub.extensions.service(NAME, OutgoingWebhookService)


EXTENSION = OutgoingWebhooks()
