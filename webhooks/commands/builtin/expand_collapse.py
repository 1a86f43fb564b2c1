"""/expand and /collapse: whether image and link previews show expanded by default (a preference)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from hub.extensions import CommandCall, CommandResponse, ephemeral
from webhooks.commands.builtin import Builtin

if TYPE_CHECKING:
    from hub.services import Hub

CATEGORY = "display_settings"
NAME = "collapse_previews"


@dataclass(frozen=True)
class SetCollapse(Builtin):
    collapse: bool = False
    answer: str = ""

    def run(self, hub: Hub, call: CommandCall) -> CommandResponse:
        user_id = call.actor.user_id
        value = "true" if self.collapse else "false"
        preference = {"user_id": user_id, "category": CATEGORY, "name": NAME, "value": value}
        hub.preferences.save(call.actor, user_id, [preference])
        return ephemeral(self.answer)


EXPAND = SetCollapse(
    "expand",
    "expand",
    "Turn off auto-collapsing of image previews",
    collapse=False,
    answer="Image links now expand by default",
)
COLLAPSE = SetCollapse(
    "collapse",
    "collapse",
    "Turn on auto-collapsing of image previews",
    collapse=True,
    answer="Image links now collapse by default",
)
