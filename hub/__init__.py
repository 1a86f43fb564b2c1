"""Hubbub's core domain: models, storage, services, configuration. Never imports Flask."""

__version__ = "0.1.0"
# The Mattermost server version Hubbub answers as; clients gate features on it.
MATTERMOST_COMPAT_VERSION = "9.11.0"
