"""/away, /online, /offline and /dnd: set the caller's status by hand."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from hub.extensions import CommandCall, CommandResponse, ephemeral
from webhooks.commands.builtin import Builtin

if TYPE_CHECKING:
    from hub.services import Hub


@dataclass(frozen=True)
class SetStatus(Builtin):
    status: str = ""
    answer: str = ""

    def run(self, hub: Hub, call: CommandCall) -> CommandResponse:
        # /dnd takes no end time here: do not disturb holds until the caller changes their status.
        user_id = call.actor.user_id
        hub.statuses.update(call.actor, user_id, {"user_id": user_id, "status": self.status})
        return ephemeral(self.answer)


AWAY = SetStatus("away", "away", "Set your status away", status="away", answer="You are now away")
ONLINE = SetStatus("online", "online", "Set your status online", status="online", answer="You are now online")
OFFLINE = SetStatus(
    "offline", "offline", "Set your status offline", status="offline", answer="You are now offline"
)
DND = SetStatus(
    "dnd",
    "dnd",
    "Do not disturb disables desktop and mobile push notifications.",
    status="dnd",
    answer="Do Not Disturb is enabled. You will not receive desktop or mobile push notifications "
    "until Do Not Disturb is turned off.",
)
