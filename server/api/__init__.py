"""The REST API v4 blueprints, one module per resource. This list is the registry."""

from server.api import system, users

BLUEPRINTS = [
    system.bp,
    users.bp,
]
