"""The services are the only writers of the database. `Hub` wires the core's services to one config,
store and bus, then lets each extension it is given install itself (hub.extensions)."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from pathlib import Path

from sqlalchemy import text

from hub import events
from hub.caches import rows_of
from hub.config import Config
from hub.events import Bus, make_bus
from hub.extensions import Extension, Extensions
from hub.store import Store
from hub.worker import DeliveryJob

logger = logging.getLogger(__name__)


class Hub:
    def __init__(
        self,
        config: Config,
        store: Store | None = None,
        bus: Bus | None = None,
        extensions: Iterable[Extension] = (),
    ) -> None:
        from hub.services.auth import AuthService
        from hub.services.bots import BotService
        from hub.services.channels import ChannelService
        from hub.services.deliveries import DeliveryService
        from hub.services.files import FileService
        from hub.services.posts import PostService
        from hub.services.preferences import PreferenceService
        from hub.services.profile_images import ProfileImageService
        from hub.services.reactions import ReactionService
        from hub.services.realtime import RealtimeService
        from hub.services.search import SearchService
        from hub.services.statuses import StatusService
        from hub.services.system import SystemService
        from hub.services.teams import TeamService
        from hub.services.users import UserService

        self.config = config
        self.store = store or Store(config)
        self.bus = bus or make_bus(config["CacheSettings"])
        self.store.publish = self.bus.publish
        # Rows other processes changed: their caches' copies go (this process forgets its own at commit).
        self.bus.subscribe(self._heard)
        self.users = UserService(self)
        self.auth = AuthService(self)
        self.bots = BotService(self)
        self.teams = TeamService(self)
        self.channels = ChannelService(self)
        self.files = FileService(self)
        self.profile_images = ProfileImageService(self)
        self.preferences = PreferenceService(self)
        self.statuses = StatusService(self)
        self.search = SearchService(self)
        self.posts = PostService(self)
        self.reactions = ReactionService(self)
        self.realtime = RealtimeService(self)
        self.deliveries = DeliveryService(self)
        self.system = SystemService(self)
        self.extensions = Extensions()
        self.extensions.worker_jobs.append(DeliveryJob())
        for extension in extensions:
            extension.install(self)
        self.store.hear_other_processes(self.bus.shared)

    def _heard(self, event: events.Event) -> None:
        if event.event == events.INVALIDATE_CACHES:
            self.store.forget_cached(rows_of(event))

    def refresh_config(self) -> None:
        """Runs with the configuration file's latest version once another process or an admin changed it
        (Config.refreshed). Settings read when the Hub is built (SqlSettings, CacheSettings,
        FileSettings.Directory and MaxImageDecoderConcurrency, RateLimitSettings) wait for a restart."""
        self.config = self.config.refreshed()

    @property
    def data_dir(self) -> Path:
        return Path(self.config["FileSettings"]["Directory"])

    def health(self) -> dict[str, bool]:
        """Whether the database answers and the file store takes a write, for ping's server status."""
        try:
            with self.store.read() as s:
                s.execute(text("SELECT 1"))
            database = True
        except Exception:  # every driver fails in its own way; the log keeps the reason
            logger.exception("health check: the database does not answer")
            database = False
        try:
            self.files.storage.write_bytes(".health", b"ok")
            files = True
        except OSError:
            logger.exception("health check: the file store does not take a write")
            files = False
        return {"database": database, "files": files}

    def close(self) -> None:
        self.bus.close()
        self.store.dispose()
