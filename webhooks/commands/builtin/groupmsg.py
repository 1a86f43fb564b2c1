"""/groupmsg @a,@b [message]: open the group channel of the caller and the users, post, go there."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from hub.extensions import CommandCall, CommandResponse, ephemeral
from hub.services.channels import GROUP_MAX_USERS, GROUP_MIN_USERS
from webhooks.commands.builtin import Builtin, active_user, team_url
from webhooks.commands.builtin import msg as direct_message

if TYPE_CHECKING:
    from hub.services import Hub


def parse(text: str) -> tuple[list[str], str]:
    """Usernames separated by commas; the message starts at the first space after a username."""
    usernames: list[str] = []
    parts = text.split(",")
    for index, part in enumerate(parts):
        words = part.strip().removeprefix("@").split()
        if words:
            usernames.append(words[0].lower())
        if len(words) > 1:
            rest = ",".join(parts[index:]).strip().removeprefix("@")
            return usernames, rest[len(words[0]) :].strip()
    return usernames, ""


@dataclass(frozen=True)
class GroupMsg(Builtin):
    def run(self, hub: Hub, call: CommandCall) -> CommandResponse:
        usernames, message = parse(call.text)
        others: dict[str, str] = {}  # user id → username, in the order given
        missing = []
        for username in usernames:
            user = active_user(hub, username)
            if user is None:
                missing.append(username)
            elif user.id != call.actor.user_id:
                others.setdefault(user.id, user.username)
        if missing:
            noun = "user" if len(missing) == 1 else "users"
            return ephemeral(f"Unable to find the {noun}: @" + ", @".join(missing))
        if len(others) == 1:
            (username,) = others.values()
            return direct_message.COMMAND.run(hub, _with_text(call, f"{username} {message}".strip()))
        if len(others) + 1 < GROUP_MIN_USERS:
            return ephemeral(f"Group messages are limited to a minimum of {GROUP_MIN_USERS - 1} users.")
        if len(others) + 1 > GROUP_MAX_USERS:
            return ephemeral(f"Group messages are limited to a maximum of {GROUP_MAX_USERS - 1} users.")
        channel = hub.channels.group(call.actor, list(others))
        if message:
            hub.posts.create(call.actor, {"channel_id": channel.id, "message": message})
        return CommandResponse(goto_location=f"{team_url(hub, call)}/messages/{channel.name}")


def _with_text(call: CommandCall, text: str) -> CommandCall:
    return replace(call, trigger=direct_message.COMMAND.trigger, text=text)


COMMAND = GroupMsg(
    "groupmsg",
    "message",
    "Sends a Group Message to the specified users",
    "@[username1],@[username2] 'message'",
    forbidden_text="You don't have the appropriate permissions to create a new group message.",
)
