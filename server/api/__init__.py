"""The REST API v4 blueprints, one module per resource. This list is the registry."""

from server.api import channels, files, posts, preferences, reactions, search, statuses, system, teams, users
from server.api import actions, bots, commands, hooks
from server.auth import authenticate_first

BLUEPRINTS = [
    actions.bp,
    bots.bp,
    channels.bp,
    commands.bp,
    files.bp,
    hooks.bp,
    posts.bp,
    preferences.bp,
    reactions.bp,
    search.bp,
    statuses.bp,
    system.bp,
    teams.bp,
    users.bp,
]

for _blueprint in BLUEPRINTS:
    _blueprint.before_request(authenticate_first)
