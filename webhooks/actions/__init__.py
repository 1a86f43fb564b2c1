"""Interactive messages: buttons and menus on posts and the dialogs they open (service.py, dialogs.py),
their routes (/api/v4/posts/{id}/actions/{action}, /api/v4/actions/dialogs/...). A post hook seals the
actions' integrations away from what clients see."""

from __future__ import annotations

from typing import TYPE_CHECKING

from webhooks.actions.service import ActionService

if TYPE_CHECKING:
    from flask import Blueprint

    from hub.services import Hub

NAME = "actions"


class Actions:
    name = NAME

    def install(self, hub: Hub) -> None:
        actions = ActionService(hub)
        hub.extensions.add_service(NAME, actions)
        hub.extensions.post_hooks.append(actions)

    def blueprints(self) -> list[Blueprint]:
        from webhooks.actions.routes import bp

        return [bp]


def service(hub: Hub) -> ActionService:
    return hub.extensions.service(NAME, ActionService)


EXTENSION = Actions()
