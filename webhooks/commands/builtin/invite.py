"""/invite @user... [~channel...]: add users to the current channel or to the named ones."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from hub import models
from hub.errors import AppError
from hub.extensions import CommandCall, CommandResponse, ephemeral
from webhooks.commands.builtin import Builtin, active_user, channel_handle, user_handle

if TYPE_CHECKING:
    from hub.services import Hub

MISSING_ARGUMENTS = "Missing Username and/or Channel."
# The errors of adding someone who is not (or no longer) in the channel's team.
_NOT_IN_TEAM = (
    "app.team.get_member.missing.app_error",
    "api.channel.add_user.to.channel.failed.deleted.app_error",
)


def _channel_not_found(name: str) -> str:
    return f"Could not find the channel {name}. Please use the channel handle to identify channels."


@dataclass(frozen=True)
class Invite(Builtin):
    def run(self, hub: Hub, call: CommandCall) -> CommandResponse:
        answers: list[str] = []
        users: list[models.User] = []
        channels: list[models.Channel] = []
        # As in Mattermost, the first word names a user even without '@'; later bare words name channels.
        for position, word in enumerate(call.text.split()):
            if word.startswith("@") or (position == 0 and not word.startswith("~")):
                user = active_user(hub, user_handle(word))
                if user is None:
                    answers.append(
                        f"We couldn't find the user {user_handle(word)}. "
                        "They may have been deactivated by the System Administrator."
                    )
                elif all(user.id != chosen.id for chosen in users):
                    users.append(user)
            else:
                try:
                    channels.append(hub.channels.by_name(call.actor, call.team_id, channel_handle(word)))
                except AppError:
                    answers.append(_channel_not_found(channel_handle(word)))
        if not users or (not channels and answers):
            return ephemeral("\n".join(answers) or MISSING_ARGUMENTS)
        if not channels:
            channels.append(hub.channels.get(call.actor, call.channel_id))
        for channel in channels:
            answers.extend(self._add(hub, call, channel, users))
        return ephemeral("\n".join(answers))

    def _add(
        self, hub: Hub, call: CommandCall, channel: models.Channel, users: list[models.User]
    ) -> list[str]:
        if channel.type in ("D", "G"):
            return ["You can't add someone to a direct message channel."]
        answers = []
        for user in users:
            try:
                if hub.channels.members_by_ids(call.actor, channel.id, [user.id]):
                    answers.append(f"@{user.username} is already in the channel.")
                    continue
                hub.channels.add_members(call.actor, channel.id, [user.id])
            except AppError as error:
                answers.append(self._refusal(hub, call, channel, user, error))
                continue
            answers.append(f"@{user.username} added to ~{channel.name} channel.")
        return answers

    def _refusal(
        self, hub: Hub, call: CommandCall, channel: models.Channel, user: models.User, error: AppError
    ) -> str:
        if error.status_code == 403:
            return f"You don't have enough permissions to add @{user.username} in ~{channel.name}."
        if error.id in _NOT_IN_TEAM:
            team = hub.teams.get(call.actor, channel.team_id).team
            return (
                f"You can add @{user.username} to this channel once they are members "
                f"of the **{team.display_name}** team."
            )
        return error.message


COMMAND = Invite("invite", "invite", "Invite a user to a channel", "@[username]... ~[channel]...")
