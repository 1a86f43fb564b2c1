"""Channels of every type (O public, P private, D direct, G group) and channel membership.

ChannelService is put together from its lookups, creation, changes and members, each in its own
module. Other modules keep importing the channels' vocabulary (the default channel, the names of
direct and group channels, the sizes of groups) from here rather than from the module that defines it."""

from __future__ import annotations

from hub.services.channels.changes import ChannelChanges
from hub.services.channels.creation import ChannelCreation
from hub.services.channels.members import ChannelMembers
from hub.services.channels.shapes import (
    DEFAULT_CHANNEL,
    GROUP_MAX_USERS,
    GROUP_MIN_USERS,
    direct_channel_name,
    group_channel_name,
)

__all__ = [
    "DEFAULT_CHANNEL",
    "GROUP_MAX_USERS",
    "GROUP_MIN_USERS",
    "ChannelService",
    "direct_channel_name",
    "group_channel_name",
]


class ChannelService(ChannelCreation, ChannelChanges, ChannelMembers):
    """The channels of every team, and the direct and group ones, as `hub.channels`."""
