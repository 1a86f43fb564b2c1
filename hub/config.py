"""config.json in Mattermost's section layout, with MM_<SECTION>_<SETTING> environment overrides.

The file keeps every key it has, known or not; environment overrides are applied in memory
only, as Mattermost does, so `config set` never writes an override back to disk.
"""

from __future__ import annotations

import copy
import json
import logging
import os
import re
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from hub.errors import AppError

logger = logging.getLogger(__name__)

DEFAULT_PATH = "config/config.json"

DEFAULTS: dict[str, dict[str, Any]] = {
    "ServiceSettings": {
        "SiteURL": "",
        "ListenAddress": ":8065",
        "WebserverWorkers": 1,
        "EnableIncomingWebhooks": True,
        "EnableOutgoingWebhooks": True,
        "EnableCommands": True,
        "EnablePostUsernameOverride": False,
        "EnablePostIconOverride": False,
        "EnableUserAccessTokens": True,
        "EnableBotAccountCreation": True,
        "DisableBotsWhenOwnerIsDeactivated": True,
        "SessionLengthWebInHours": 720,
        "SessionLengthMobileInHours": 720,
        "SessionLengthSSOInHours": 720,
        "MaximumLoginAttempts": 10,
        # Hubbub: failed password attempts are forgotten this long after the last one, which ends a lockout
        # (in Mattermost it lasts until the password is reset).
        "LoginLockoutMinutes": 15,
        "MaximumPayloadSizeBytes": 300000,
        "MaximumPostLength": 16383,
        "EnableInsecureOutgoingConnections": False,
        "AllowedUntrustedInternalConnections": "",
        # Hubbub: how often a delivery to an integration is tried, and the first retry's delay (it doubles,
        # with jitter, up to an hour); after this many failed attempts in a row the integration is disabled.
        "OutgoingIntegrationMaxAttempts": 8,
        "OutgoingIntegrationRetryBaseMilliseconds": 2000,
        "OutgoingIntegrationMaxConsecutiveFailures": 25,
        "OutgoingIntegrationRequestsTimeout": 30,
        # Hubbub: when set, the requests of interactive message actions and dialog submissions carry an
        # X-Slack-Signature made with this secret (the integration verifies it); empty sends them unsigned.
        "IntegrationActionsSigningSecret": "",
        "AllowCorsFrom": "",
        "EnableDeveloper": False,
        "ExtendSessionLengthWithActivity": True,
        # Hubbub: WebSocket connections one user, and one client address (authenticated or not), may hold
        # in each web process; a socket over either limit is closed with 1008.
        "MaximumWebSocketConnectionsPerUser": 50,
        "MaximumWebSocketConnectionsPerRemoteAddress": 200,
        # Hubbub: a socket that has not authenticated this many seconds after opening is closed with 1008.
        "WebSocketAuthenticationTimeoutSeconds": 5,
        # Read by clients: how often they send "typing", and how they render posts and channel joins.
        "TimeBetweenUserTypingUpdatesMilliseconds": 5000,
        "EnableLatex": False,
        "EnableInlineLatex": True,
        "ExperimentalEnableDefaultChannelLeaveJoinMessages": True,
    },
    "TeamSettings": {
        "SiteName": "Hubbub",
        "MaxUsersPerTeam": 50,
        "EnableUserCreation": True,
        "EnableOpenServer": False,
        "RestrictCreationToDomains": "",
        "MaxChannelsPerTeam": 2000,
        "TeammateNameDisplay": "username",
    },
    "PrivacySettings": {
        "ShowEmailAddress": True,
        "ShowFullName": True,
    },
    "PasswordSettings": {
        "MinimumLength": 8,
        "Lowercase": False,
        "Number": False,
        "Uppercase": False,
        "Symbol": False,
    },
    "SqlSettings": {
        "DriverName": "sqlite3",
        "DataSource": "./data/hubbub.db",
        "DataSourceReplicas": [],
        "DataSourceSearchReplicas": [],
        "MaxIdleConns": 20,
        "MaxOpenConns": 300,
        "QueryTimeout": 30,
    },
    "FileSettings": {
        "DriverName": "local",
        "Directory": "./data/",
        "MaxFileSize": 104857600,
        "EnableFileAttachments": True,
        "MaxImageResolution": 33177600,
        # Images decoded at once in each process (thumbnails and previews); -1 is one per core.
        "MaxImageDecoderConcurrency": -1,
    },
    "RateLimitSettings": {
        "Enable": False,
        "PerSec": 10,
        "MaxBurst": 100,
        "VaryByRemoteAddr": True,
        "VaryByUser": False,
        "LoginPerMinute": 20,
        # Hubbub: deliveries a second each incoming webhook accepts, after a burst; 0 turns it off.
        "IncomingWebhookPerSec": 10,
        "IncomingWebhookMaxBurst": 100,
    },
    "EmailSettings": {
        "EnableSignUpWithEmail": True,
        "EnableSignInWithEmail": True,
        "EnableSignInWithUsername": True,
        "RequireEmailVerification": False,
        "FeedbackName": "Hubbub",
        "FeedbackEmail": "",
    },
    "CacheSettings": {
        "CacheType": "lru",
        "RedisAddress": "",
        "RedisPassword": "",
        "RedisDB": 0,
    },
    "LogSettings": {
        "ConsoleLevel": "INFO",
    },
}

SQL_DRIVERS = ("sqlite3", "postgres", "mysql")
CACHE_TYPES = ("lru", "redis")
FILE_DRIVERS = ("local",)
LOG_LEVELS = ("DEBUG", "INFO", "WARN", "WARNING", "ERROR")

_LISTEN_RE = re.compile(r"(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.\-]*):(\d{1,5})")

# What Mattermost's Config.Sanitize puts in place of secrets in what GET /api/v4/config answers, and what
# PUT /api/v4/config reads back as "the stored value".
MASK = "********************************"
# Paths of Sanitize's secrets through sections and settings ("*": every element of a list), wherever the
# file has them: the first are masked whenever present, the others only when set.
_ALWAYS_MASKED = (
    ("FileSettings", "PublicLinkSalt"),
    ("SqlSettings", "DataSource"),
    ("SqlSettings", "AtRestEncryptKey"),
    ("SqlSettings", "DataSourceReplicas", "*"),
    ("SqlSettings", "DataSourceSearchReplicas", "*"),
    ("SqlSettings", "ReplicaLagSettings", "*", "DataSource"),
    ("ElasticsearchSettings", "Password"),
    ("ServiceSettings", "SplitKey"),
    ("CacheSettings", "RedisPassword"),
)
_MASKED_WHEN_SET = (
    ("LdapSettings", "BindPassword"),
    ("FileSettings", "AmazonS3SecretAccessKey"),
    ("EmailSettings", "SMTPPassword"),
    ("GitLabSettings", "Secret"),
    ("GoogleSettings", "Secret"),
    ("Office365Settings", "Secret"),
    ("OpenIdSettings", "Secret"),
    ("MessageExportSettings", "GlobalRelaySettings", "SMTPPassword"),
    ("ServiceSettings", "IntegrationActionsSigningSecret"),
)


def _config_error(key: str, detail: str) -> AppError:
    return AppError(
        "model.config.is_valid.app_error",
        f"Invalid configuration value for {key}: {detail}",
        400,
        detail,
    )


def _coerce(key: str, raw: str, default: Any) -> Any:
    """Turns an environment string into the type the default has."""
    if isinstance(default, bool):
        lowered = raw.strip().lower()
        if lowered in ("true", "1", "yes", "on"):
            return True
        if lowered in ("false", "0", "no", "off"):
            return False
        raise _config_error(key, f"expected true or false, got {raw!r}")
    if isinstance(default, int):
        try:
            return int(raw.strip())
        except ValueError:
            raise _config_error(key, f"expected a whole number, got {raw!r}") from None
    if isinstance(default, list):
        stripped = raw.strip()
        if stripped.startswith("["):
            try:
                value = json.loads(stripped)
            except ValueError:
                raise _config_error(key, "expected a JSON list") from None
            return value
        # Mattermost splits list-valued environment settings on spaces.
        return [part for part in stripped.split() if part]
    return raw


def _check_type(key: str, value: Any, default: Any) -> None:
    if isinstance(default, bool):
        ok = isinstance(value, bool)
    elif isinstance(default, int):
        ok = isinstance(value, int) and not isinstance(value, bool)
    elif isinstance(default, str):
        ok = isinstance(value, str)
    elif isinstance(default, list):
        ok = isinstance(value, list)
    else:
        ok = True
    if not ok:
        raise _config_error(key, f"expected {type(default).__name__}, got {type(value).__name__}")


def _secrets(
    data: Any, path: tuple[str, ...], where: tuple[Any, ...] = ()
) -> Iterator[tuple[Any, Any, tuple[Any, ...]]]:
    """(container, key, full path) of each string at `path` in data."""
    head, rest = path[0], path[1:]
    if head == "*":
        keys: Iterable[Any] = range(len(data)) if isinstance(data, list) else ()
    else:
        keys = (head,) if isinstance(data, dict) and head in data else ()
    for key in keys:
        if rest:
            yield from _secrets(data[key], rest, (*where, key))
        elif isinstance(data[key], str):
            yield data, key, (*where, key)


def _at(data: Any, path: tuple[Any, ...]) -> Any:
    for key in path:
        data = data[key]
    return data


def _merged(base: dict[str, Any], patch: Mapping[str, Any]) -> dict[str, Any]:
    """`patch` over `base`, objects merged key by key, as Mattermost merges a config patch."""
    merged = copy.deepcopy(base)
    for key, value in patch.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merged(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def _file_stamp(path: Path) -> tuple[int, int, int] | None:
    """Tells one version of the file from another: every save replaces the file (a new inode)."""
    try:
        stat = path.stat()
    except OSError:
        return None
    return (stat.st_ino, stat.st_mtime_ns, stat.st_size)


class Config:
    """A validated, read-mostly view of the settings, addressed as 'Section.Setting'.

    `file_data` is what the file holds (defaults filled in), `environment` the MM_* overrides by section
    and setting, and `data` the settings in force: the file's with the overrides on top."""

    def __init__(
        self,
        data: Mapping[str, Any],
        path: Path | None = None,
        environment: Mapping[str, Mapping[str, Any]] | None = None,
    ) -> None:
        self.path = path
        # The file's version this was read from or saved as (None: not read from a file).
        self.stamp: tuple[int, int, int] | None = None
        self.file_data: dict[str, Any] = copy.deepcopy(dict(data))
        for section, given in self.file_data.items():
            if not isinstance(given, dict):
                raise _config_error(section, "expected an object (a section of settings)")
        for section, settings in DEFAULTS.items():
            self.file_data[section] = {**settings, **self.file_data.get(section, {})}
        self.environment = {section: dict(settings) for section, settings in (environment or {}).items()}
        self.data: dict[str, dict[str, Any]] = copy.deepcopy(self.file_data)
        for section, settings in self.environment.items():
            self.data.setdefault(section, {}).update(settings)
        self.validate()

    def _derived(self, file_data: Mapping[str, Any], environment: Mapping[str, Mapping[str, Any]]) -> Config:
        derived = Config(file_data, self.path, environment)
        derived.stamp = self.stamp
        return derived

    def __getitem__(self, section: str) -> dict[str, Any]:
        return self.data[section]

    def get(self, dotted: str) -> Any:
        section, _, setting = dotted.partition(".")
        try:
            return self.data[section][setting]
        except KeyError:
            raise AppError(
                "api.config.get.unknown_key", f"Unknown configuration key {dotted}.", 404
            ) from None

    def validate(self) -> None:
        for section, settings in DEFAULTS.items():
            if not isinstance(self.data.get(section), dict):
                raise _config_error(section, "expected an object")
            for setting, default in settings.items():
                _check_type(f"{section}.{setting}", self.data[section][setting], default)
        sql = self.data["SqlSettings"]
        if sql["DriverName"] not in SQL_DRIVERS:
            raise _config_error("SqlSettings.DriverName", f"must be one of {', '.join(SQL_DRIVERS)}")
        if not sql["DataSource"]:
            raise _config_error("SqlSettings.DataSource", "must not be empty")
        cache = self.data["CacheSettings"]
        if cache["CacheType"] not in CACHE_TYPES:
            raise _config_error("CacheSettings.CacheType", f"must be one of {', '.join(CACHE_TYPES)}")
        if cache["CacheType"] == "redis" and not cache["RedisAddress"]:
            raise _config_error("CacheSettings.RedisAddress", "must be host:port when CacheType is redis")
        if (
            self.data["ServiceSettings"]["WebserverWorkers"] > 1
            and self.data["SqlSettings"]["DriverName"] != "sqlite3"
            and cache["CacheType"] != "redis"
        ):
            # Each worker holds its own sockets; without Redis a post made in one never reaches the others.
            raise _config_error(
                "ServiceSettings.WebserverWorkers", "more than one worker needs CacheSettings.CacheType redis"
            )
        if self.data["FileSettings"]["DriverName"] not in FILE_DRIVERS:
            raise _config_error("FileSettings.DriverName", "only 'local' is supported")
        listen = self.data["ServiceSettings"]["ListenAddress"]
        match = _LISTEN_RE.fullmatch(listen)
        if not match or not 0 < int(match.group(2)) < 65536:
            raise _config_error("ServiceSettings.ListenAddress", f"expected host:port, got {listen!r}")
        if self.data["ServiceSettings"]["WebserverWorkers"] < 1:
            raise _config_error("ServiceSettings.WebserverWorkers", "must be at least 1")
        minimum = self.data["PasswordSettings"]["MinimumLength"]
        if not 5 <= minimum <= 72:
            raise _config_error("PasswordSettings.MinimumLength", "must be between 5 and 72")
        if self.data["LogSettings"]["ConsoleLevel"].upper() not in LOG_LEVELS:
            raise _config_error("LogSettings.ConsoleLevel", f"must be one of {', '.join(LOG_LEVELS)}")
        for setting in ("OutgoingIntegrationMaxAttempts", "OutgoingIntegrationMaxConsecutiveFailures"):
            if self.data["ServiceSettings"][setting] < 1:
                raise _config_error(f"ServiceSettings.{setting}", "must be at least 1")
        if self.data["ServiceSettings"]["LoginLockoutMinutes"] < 1:
            # Failures of unknown login ids are kept as long as a lockout lasts: forever, they would pile up.
            raise _config_error("ServiceSettings.LoginLockoutMinutes", "must be at least 1")
        if self.data["ServiceSettings"]["OutgoingIntegrationRetryBaseMilliseconds"] < 0:
            raise _config_error(
                "ServiceSettings.OutgoingIntegrationRetryBaseMilliseconds", "must not be negative"
            )
        if self.data["ServiceSettings"]["OutgoingIntegrationRequestsTimeout"] <= 0:
            raise _config_error(
                "ServiceSettings.OutgoingIntegrationRequestsTimeout", "must be a positive number of seconds"
            )
        for setting in ("IncomingWebhookPerSec", "IncomingWebhookMaxBurst"):
            if self.data["RateLimitSettings"][setting] < 0:
                raise _config_error(f"RateLimitSettings.{setting}", "must not be negative")
        max_post = self.data["ServiceSettings"]["MaximumPostLength"]
        if not 1 <= max_post <= 16383:
            raise _config_error("ServiceSettings.MaximumPostLength", "must be between 1 and 16383")
        for setting in (
            "MaximumWebSocketConnectionsPerUser",
            "MaximumWebSocketConnectionsPerRemoteAddress",
            "WebSocketAuthenticationTimeoutSeconds",
        ):
            if self.data["ServiceSettings"][setting] < 1:
                raise _config_error(f"ServiceSettings.{setting}", "must be at least 1")
        if self.data["ServiceSettings"]["TimeBetweenUserTypingUpdatesMilliseconds"] < 1000:
            # Mattermost's floor, so that clients cannot be told to flood the server with typing events.
            raise _config_error(
                "ServiceSettings.TimeBetweenUserTypingUpdatesMilliseconds", "must be at least 1000"
            )
        if self.data["FileSettings"]["MaxImageResolution"] < 1:
            raise _config_error("FileSettings.MaxImageResolution", "must be at least 1")
        decoders = self.data["FileSettings"]["MaxImageDecoderConcurrency"]
        if decoders != -1 and decoders < 1:
            raise _config_error(
                "FileSettings.MaxImageDecoderConcurrency", "must be -1 (one per core) or at least 1"
            )

    @property
    def listen_host_port(self) -> tuple[str, int]:
        host, _, port = self.data["ServiceSettings"]["ListenAddress"].rpartition(":")
        return (host.strip("[]") or "0.0.0.0", int(port))

    @property
    def site_url(self) -> str:
        configured: str = self.data["ServiceSettings"]["SiteURL"].rstrip("/")
        if configured:
            return configured
        host, port = self.listen_host_port
        return f"http://{'localhost' if host in ('0.0.0.0', '::') else host}:{port}"

    def with_overrides(self, environ: Mapping[str, str]) -> Config:
        """A copy with every MM_<SECTION>_<SETTING> variable applied."""
        index = {
            f"MM_{section.upper()}_{setting.upper()}": (section, setting)
            for section, settings in self.file_data.items()
            for setting in settings
        }
        environment = copy.deepcopy(self.environment)
        for name, raw in environ.items():
            if name not in index:
                continue
            section, setting = index[name]
            default = DEFAULTS.get(section, {}).get(setting, self.file_data[section][setting])
            environment.setdefault(section, {})[setting] = _coerce(f"{section}.{setting}", raw, default)
        return self._derived(self.file_data, environment)

    def with_setting(self, dotted: str, raw: str) -> Config:
        """A copy with one setting of the file changed from its text form (for `config set`)."""
        section, _, setting = dotted.partition(".")
        if not setting:
            raise _config_error(dotted, "expected Section.Setting")
        data = copy.deepcopy(self.file_data)
        current = data.setdefault(section, {}).get(setting)
        default = DEFAULTS.get(section, {}).get(setting, current)
        if default is None or isinstance(default, dict):
            try:
                value = json.loads(raw)
            except ValueError:
                value = raw
        else:
            value = _coerce(dotted, raw, default)
        data[section][setting] = value
        return self._derived(data, self.environment)

    def replaced(self, data: Mapping[str, Any]) -> Config:
        """The configuration an admin sends in place of this one (PUT /api/v4/config): masked secrets stand
        for the values in force, and settings the environment overrides keep the environment's value while
        the file keeps its own, as in Mattermost."""
        new = copy.deepcopy(dict(data))
        for path in (*_ALWAYS_MASKED, *_MASKED_WHEN_SET):
            for container, key, where in _secrets(new, path):
                if container[key] == MASK:
                    try:
                        container[key] = _at(self.data, where)
                    except (KeyError, IndexError, TypeError):
                        pass
        for section, settings in self.environment.items():
            target = new.setdefault(section, {})
            if isinstance(target, dict):
                target.update({setting: self.file_data[section][setting] for setting in settings})
        return self._derived(new, self.environment)

    def patched(self, patch: Mapping[str, Any]) -> Config:
        """This configuration with the settings of `patch` changed (PUT /api/v4/config/patch)."""
        return self.replaced(_merged(self.data, patch))

    def sanitized(self) -> dict[str, Any]:
        """The settings in force with their secrets masked, as GET /api/v4/config answers them."""
        data = copy.deepcopy(self.data)
        for paths, only_when_set in ((_ALWAYS_MASKED, False), (_MASKED_WHEN_SET, True)):
            for path in paths:
                for container, key, _ in _secrets(data, path):
                    if container[key] or not only_when_set:
                        container[key] = MASK
        return data

    def refreshed(self) -> Config:
        """The configuration to run with now: this one, or the file's if it changed since it was read (a
        PUT /api/v4/config in another process, `config set`, an edit), with the same environment
        overrides. A changed file that is not valid is logged once and ignored until it changes again."""
        if self.path is None or self.stamp is None:
            return self
        stamp = _file_stamp(self.path)
        if stamp is None or stamp == self.stamp:
            return self
        try:
            fresh = load_file(self.path)
            return fresh._derived(fresh.file_data, self.environment)
        except (AppError, OSError) as refused:
            logger.error("%s changed but cannot be used, the settings in force stay: %s", self.path, refused)
            self.stamp = stamp
            return self

    def save(self) -> None:
        """Writes the file's settings (never the environment's overrides) in one replace."""
        if self.path is None:
            raise _config_error("path", "this configuration was not loaded from a file")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".json.tmp")
        tmp.write_text(json.dumps(self.file_data, indent=4, sort_keys=False) + "\n")
        os.replace(tmp, self.path)
        self.stamp = _file_stamp(self.path)


def config_path(environ: Mapping[str, str] | None = None) -> Path:
    environ = os.environ if environ is None else environ
    return Path(environ.get("MM_CONFIG") or environ.get("HUBBUB_CONFIG") or DEFAULT_PATH)


def load_file(path: Path) -> Config:
    """Reads the file, creating it with defaults on first start."""
    if not path.exists():
        config = Config({}, path)
        config.save()
        logger.info("created %s with default settings", path)
        return config
    # Taken before reading: a change made while the file is read is seen by the next refreshed().
    stamp = _file_stamp(path)
    try:
        data = json.loads(path.read_text())
    except ValueError as exc:
        raise _config_error(str(path), f"not valid JSON ({exc})") from None
    if not isinstance(data, dict):
        raise _config_error(str(path), "expected a JSON object")
    config = Config(data, path)
    config.stamp = stamp
    return config


def load(environ: Mapping[str, str] | None = None) -> Config:
    environ = os.environ if environ is None else environ
    return load_file(config_path(environ)).with_overrides(environ)
