"""The core's REST API v4 blueprints, one module per resource. This list is the registry; extensions
bring their own blueprints (the composition root, hubbub/, hands them to create_app)."""

from server.api import (
    bots,
    channels,
    files,
    posts,
    preferences,
    reactions,
    search,
    statuses,
    system,
    teams,
    users,
)

BLUEPRINTS = [
    bots.bp,
    channels.bp,
    files.bp,
    posts.bp,
    preferences.bp,
    reactions.bp,
    search.bp,
    statuses.bp,
    system.bp,
    teams.bp,
    users.bp,
]
