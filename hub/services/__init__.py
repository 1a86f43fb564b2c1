"""The services are the only writers of the database. `Hub` wires them to one config and store."""

from __future__ import annotations

from pathlib import Path

from hub.config import Config
from hub.events import Bus, make_bus
from hub.store import Store


class Hub:
    def __init__(self, config: Config, store: Store | None = None, bus: Bus | None = None) -> None:
        from hub.services.actions import ActionService
        from hub.services.auth import AuthService
        from hub.services.channels import ChannelService
        from hub.services.commands import CommandService
        from hub.services.deliveries import DeliveryService
        from hub.services.files import FileService
        from hub.services.outgoing_webhooks import OutgoingWebhookService
        from hub.services.posts import PostService
        from hub.services.preferences import PreferenceService
        from hub.services.reactions import ReactionService
        from hub.services.realtime import RealtimeService
        from hub.services.search import SearchService
        from hub.services.statuses import StatusService
        from hub.services.teams import TeamService
        from hub.services.users import UserService
        from hub.services.webhooks import IncomingWebhookService

        self.config = config
        self.store = store or Store(config)
        self.bus = bus or make_bus(config["CacheSettings"])
        self.store.publish = self.bus.publish
        self.users = UserService(self)
        self.auth = AuthService(self)
        self.teams = TeamService(self)
        self.channels = ChannelService(self)
        self.files = FileService(self)
        self.preferences = PreferenceService(self)
        self.statuses = StatusService(self)
        self.search = SearchService(self)
        self.posts = PostService(self)
        self.reactions = ReactionService(self)
        self.realtime = RealtimeService(self)
        self.webhooks = IncomingWebhookService(self)
        self.commands = CommandService(self)
        self.deliveries = DeliveryService(self)
        self.outgoing_webhooks = OutgoingWebhookService(self)
        self.actions = ActionService(self)

    @property
    def data_dir(self) -> Path:
        return Path(self.config["FileSettings"]["Directory"])

    def close(self) -> None:
        self.bus.close()
        self.store.dispose()
