"""config.json loading, MM_* overrides, validation and DataSource translation (no database needed)."""

from __future__ import annotations

import json

import pytest

from hub import config as hub_config
from hub.errors import AppError
from hub.store import _sqlalchemy_url


@pytest.fixture
def path(tmp_path):
    return tmp_path / "config" / "config.json"


def _load(path, **environ: str) -> hub_config.Config:
    return hub_config.load({"MM_CONFIG": str(path), **environ})


def _refused(path, **environ: str) -> AppError:
    with pytest.raises(AppError) as raised:
        _load(path, **environ)
    assert raised.value.id == "model.config.is_valid.app_error"
    assert raised.value.status_code == 400
    return raised.value


def test_first_load_writes_the_defaults(path):
    config = _load(path)
    assert json.loads(path.read_text()) == hub_config.DEFAULTS
    assert config.path == path
    assert config.get("ServiceSettings.ListenAddress") == ":8065"
    assert config.get("SqlSettings.DataSource") == "./data/hubbub.db"
    assert config.site_url == "http://localhost:8065"
    assert config.listen_host_port == ("0.0.0.0", 8065)


def test_the_config_path_comes_from_mm_config_then_hubbub_config():
    assert str(hub_config.config_path({})) == "config/config.json"
    assert str(hub_config.config_path({"HUBBUB_CONFIG": "/b.json"})) == "/b.json"
    assert str(hub_config.config_path({"MM_CONFIG": "/a.json", "HUBBUB_CONFIG": "/b.json"})) == "/a.json"


def test_unknown_keys_survive_a_save_and_missing_ones_take_defaults(path):
    path.parent.mkdir(parents=True)
    path.write_text(
        json.dumps(
            {"PluginSettings": {"Plugins": {"x": 1}}, "TeamSettings": {"SiteName": "Ours", "Extra": [1, 2]}}
        )
    )
    config = hub_config.load_file(path)
    assert config.get("TeamSettings.MaxUsersPerTeam") == 50
    config.with_setting("TeamSettings.SiteName", "Renamed").save()
    saved = json.loads(path.read_text())
    assert saved["PluginSettings"] == {"Plugins": {"x": 1}}
    assert saved["TeamSettings"]["Extra"] == [1, 2]
    assert saved["TeamSettings"]["SiteName"] == "Renamed"


def test_environment_overrides_each_type_in_memory_only(path):
    config = _load(
        path,
        MM_SERVICESETTINGS_ENABLEDEVELOPER="true",
        MM_RATELIMITSETTINGS_ENABLE="0",
        MM_SERVICESETTINGS_WEBSERVERWORKERS=" 3 ",
        MM_SERVICESETTINGS_SITEURL="https://chat.example.com/",
        MM_SERVICESETTINGS_LISTENADDRESS="[::1]:9000",
        MM_SQLSETTINGS_DATASOURCEREPLICAS="postgres://a/x postgres://b/x",
        MM_SQLSETTINGS_DATASOURCESEARCHREPLICAS='["postgres://c/x"]',
        MM_UNRELATED_SETTING="ignored",
    )
    assert config.get("ServiceSettings.EnableDeveloper") is True
    assert config.get("RateLimitSettings.Enable") is False
    assert config.get("ServiceSettings.WebserverWorkers") == 3
    assert config.site_url == "https://chat.example.com"
    assert config.listen_host_port == ("::1", 9000)
    assert config.get("SqlSettings.DataSourceReplicas") == ["postgres://a/x", "postgres://b/x"]
    assert config.get("SqlSettings.DataSourceSearchReplicas") == ["postgres://c/x"]
    assert json.loads(path.read_text()) == hub_config.DEFAULTS


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        (
            "MM_SQLSETTINGS_DRIVERNAME",
            "oracle",
            "Invalid configuration value for SqlSettings.DriverName: must be one of sqlite3, postgres, mysql",
        ),
        (
            "MM_SERVICESETTINGS_LISTENADDRESS",
            "bogus",
            "Invalid configuration value for ServiceSettings.ListenAddress: expected host:port, got 'bogus'",
        ),
        (
            "MM_SERVICESETTINGS_LISTENADDRESS",
            ":70000",
            "Invalid configuration value for ServiceSettings.ListenAddress: expected host:port, got ':70000'",
        ),
        (
            "MM_SERVICESETTINGS_WEBSERVERWORKERS",
            "two",
            "Invalid configuration value for ServiceSettings.WebserverWorkers: expected a whole number, got 'two'",
        ),
        (
            "MM_SERVICESETTINGS_WEBSERVERWORKERS",
            "0",
            "Invalid configuration value for ServiceSettings.WebserverWorkers: must be at least 1",
        ),
        (
            "MM_RATELIMITSETTINGS_ENABLE",
            "maybe",
            "Invalid configuration value for RateLimitSettings.Enable: expected true or false, got 'maybe'",
        ),
        (
            "MM_SQLSETTINGS_DATASOURCEREPLICAS",
            "[oops",
            "Invalid configuration value for SqlSettings.DataSourceReplicas: expected a JSON list",
        ),
        (
            "MM_LOGSETTINGS_CONSOLELEVEL",
            "LOUD",
            "Invalid configuration value for LogSettings.ConsoleLevel: must be one of DEBUG, INFO, WARN, WARNING, ERROR",
        ),
    ],
)
def test_invalid_overrides_are_refused_naming_the_key(path, variable, value, message):
    assert _refused(path, **{variable: value}).message == message


@pytest.mark.parametrize(
    ("contents", "key"),
    [
        ({"SqlSettings": {"DataSource": ""}}, "SqlSettings.DataSource"),
        ({"ServiceSettings": {"WebserverWorkers": "2"}}, "ServiceSettings.WebserverWorkers"),
        ({"ServiceSettings": {"EnableDeveloper": 1}}, "ServiceSettings.EnableDeveloper"),
        ({"TeamSettings": []}, "TeamSettings"),
        ({"FileSettings": {"DriverName": "amazons3"}}, "FileSettings.DriverName"),
    ],
)
def test_invalid_files_are_refused_naming_the_key(path, contents, key):
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps(contents))
    assert _refused(path).message.startswith(f"Invalid configuration value for {key}: ")


def test_a_file_that_is_not_json_is_refused(path):
    path.parent.mkdir(parents=True)
    path.write_text("{not json")
    assert _refused(path).message.startswith(f"Invalid configuration value for {path}: not valid JSON")


@pytest.mark.parametrize(
    ("driver", "data_source", "url"),
    [
        (
            "postgres",
            "postgres://mmuser:mostest@localhost/mattermost_test?sslmode=disable&connect_timeout=10&binary_parameters=yes",
            "postgresql+psycopg://mmuser:mostest@localhost/mattermost_test?sslmode=disable&connect_timeout=10",
        ),
        ("postgres", "postgresql://db.internal:5433/chat", "postgresql+psycopg://db.internal:5433/chat"),
        (
            "mysql",
            "mmuser:mostest@tcp(localhost:3306)/mattermost_test?charset=utf8mb4,utf8&readTimeout=30s&writeTimeout=30s",
            "mysql+pymysql://mmuser:mostest@localhost:3306/mattermost_test?charset=utf8mb4",
        ),
        (
            "mysql",
            "root@tcp(127.0.0.1:3306)/chat",
            "mysql+pymysql://root@127.0.0.1:3306/chat?charset=utf8mb4",
        ),
        (
            "mysql",
            "us:p@ss/w@tcp(db:3307)/chat",
            "mysql+pymysql://us:p%40ss%2Fw@db:3307/chat?charset=utf8mb4",
        ),
        ("mysql", "mysql://u:p@db/chat?ssl=1", "mysql+pymysql://u:p@db/chat?ssl=1&charset=utf8mb4"),
        ("sqlite3", ":memory:", "sqlite+pysqlite:///:memory:"),
    ],
)
def test_mattermost_data_sources_become_sqlalchemy_urls(driver, data_source, url):
    assert _sqlalchemy_url(driver, data_source) == url


def test_a_sqlite_path_gets_its_folder_created(tmp_path):
    target = tmp_path / "deep" / "er" / "hubbub.db"
    assert _sqlalchemy_url("sqlite3", str(target)) == f"sqlite+pysqlite:///{target}"
    assert target.parent.is_dir()
