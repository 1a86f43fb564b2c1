"""The services are the only writers of the database. `Hub` wires them to one config and store."""

from __future__ import annotations

from pathlib import Path

from hub.config import Config
from hub.store import Store


class Hub:
    def __init__(self, config: Config, store: Store | None = None) -> None:
        from hub.services.auth import AuthService
        from hub.services.channels import ChannelService
        from hub.services.teams import TeamService
        from hub.services.users import UserService

        self.config = config
        self.store = store or Store(config)
        self.users = UserService(self)
        self.auth = AuthService(self)
        self.teams = TeamService(self)
        self.channels = ChannelService(self)

    @property
    def data_dir(self) -> Path:
        return Path(self.config["FileSettings"]["Directory"])

    def close(self) -> None:
        self.store.dispose()
