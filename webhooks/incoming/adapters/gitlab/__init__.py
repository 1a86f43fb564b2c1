"""GitLab webhook adapter: renders GitLab project hook deliveries as posts."""

from webhooks.incoming.adapters.gitlab.adapter import ADAPTER

__all__ = ["ADAPTER"]
