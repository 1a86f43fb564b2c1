"""Fixtures: every test that takes `hub`, `app` or `client` runs on SQLite, PostgreSQL and MariaDB.

HUBBUB_TEST_DATABASES picks a subset (comma-separated: sqlite, postgres, mysql).
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from werkzeug.serving import make_server

from hub.config import Config
from hub.models import Base
from hub.services import Hub
from hub.store import Store
from hubbub import build_hub, create_app


@pytest.fixture(scope="session", autouse=True)
def argon2_at_its_lowest_cost():
    """Real argon2 hashes, at the lowest cost the format allows: at the production cost (about 150 ms a
    hash) making the accounts of each test would take a quarter of the suite's time. Servers the tests
    start as processes keep the production cost."""
    from argon2 import PasswordHasher

    from hub import security

    production = security._hasher
    security._hasher = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    security.decoy_password_hash.cache_clear()
    yield
    security._hasher = production
    security.decoy_password_hash.cache_clear()


PG_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
MYSQL_ADMIN_URL = "mysql+pymysql://root@127.0.0.1:3306/?charset=utf8mb4"
PASSWORD = "Passw0rd!long"


def _selected_databases() -> list[str]:
    return [
        d.strip()
        for d in os.environ.get("HUBBUB_TEST_DATABASES", "sqlite,postgres,mysql").split(",")
        if d.strip()
    ]


def pytest_collection_modifyitems(config, items) -> None:
    """`@pytest.mark.databases("sqlite")` keeps a test on the databases named: a test of HTTP shapes needs
    one, storage, search, migrations and concurrency need all three."""
    kept, dropped = [], []
    for item in items:
        mark = item.get_closest_marker("databases")
        callspec = getattr(item, "callspec", None)
        kind = callspec.params.get("database") if callspec is not None else None
        (dropped if mark is not None and kind is not None and kind not in mark.args else kept).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


def _worker_suffix() -> str:
    # The process id keeps two runs on one machine (a developer's and CI's) off each other's databases.
    return f"{os.environ.get('PYTEST_XDIST_WORKER', 'main')}_{os.getpid()}"


def _database_name() -> str:
    return f"hubbub_test_{_worker_suffix()}"


def _server_admin(kind: str):
    if kind == "postgres":
        return create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    return create_engine(MYSQL_ADMIN_URL, isolation_level="AUTOCOMMIT")


def _drop_database(kind: str) -> None:
    if kind == "sqlite":
        return
    name = _database_name()
    engine = _server_admin(kind)
    with engine.connect() as c:
        if kind == "postgres":
            c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        else:
            c.execute(text(f"DROP DATABASE IF EXISTS `{name}`"))
    engine.dispose()


def _fresh_database(kind: str, tmp_dir) -> tuple[str, str]:
    """Creates an empty database for this test run and answers (DriverName, DataSource)."""
    if kind == "sqlite":
        return "sqlite3", str(tmp_dir / "hubbub.db")
    name = _database_name()
    _drop_database(kind)
    engine = _server_admin(kind)
    with engine.connect() as c:
        if kind == "postgres":
            c.execute(text(f'CREATE DATABASE "{name}"'))
        else:
            c.execute(text(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"))
    engine.dispose()
    if kind == "postgres":
        return "postgres", f"postgres://postgres@127.0.0.1:5432/{name}?sslmode=disable&connect_timeout=10"
    return "mysql", f"root@tcp(127.0.0.1:3306)/{name}?charset=utf8mb4,utf8&readTimeout=30s"


def make_config(driver: str, data_source: str, files_dir, **overrides: dict[str, Any]) -> Config:
    data: dict[str, Any] = {
        "SqlSettings": {
            "DriverName": driver,
            "DataSource": data_source,
            "MaxIdleConns": 5,
            "MaxOpenConns": 20,
        },
        "FileSettings": {"Directory": str(files_dir)},
        "RateLimitSettings": {"LoginPerMinute": 100000},
    }
    for section, settings in overrides.items():
        data.setdefault(section, {}).update(settings)
    return Config(data)


@pytest.fixture(scope="session", params=_selected_databases())
def database(request, tmp_path_factory):
    """(DriverName, DataSource) of a migrated, empty database, one per kind for the whole run."""
    tmp_dir = tmp_path_factory.mktemp(request.param)
    driver, data_source = _fresh_database(request.param, tmp_dir)
    store = Store(make_config(driver, data_source, tmp_dir))
    store.migrate()
    store.dispose()
    yield driver, data_source
    _drop_database(request.param)


def _empty_tables(store: Store) -> None:
    with store.engine.begin() as c:
        for table in reversed(Base.metadata.sorted_tables):
            c.execute(table.delete())


@pytest.fixture
def hub_factory(database, tmp_path):
    """Builds a Hub on the shared test database with setting overrides; tables are emptied after."""
    driver, data_source = database
    made: list[Hub] = []

    def build(**overrides) -> Hub:
        built = build_hub(make_config(driver, data_source, tmp_path / "files", **overrides))
        made.append(built)
        return built

    yield build
    if made:
        _empty_tables(made[0].store)
    for built in made:
        built.close()


@pytest.fixture
def hub(hub_factory) -> Hub:
    return hub_factory()


@pytest.fixture
def app(hub):
    return create_app(hub=hub)


@dataclass
class Account:
    id: str
    username: str
    email: str
    password: str
    token: str


class ApiClient:
    """Flask's test client with a token and JSON by default."""

    def __init__(self, client, token: str = "") -> None:
        self.client = client
        self.token = token

    def as_(self, account: Account | None) -> ApiClient:
        return ApiClient(self.client, account.token if account else "")

    def _headers(self, headers: dict | None) -> dict:
        merged = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        merged.update(headers or {})
        return merged

    def request(self, method: str, path: str, json: Any = None, headers: dict | None = None, **kwargs):
        return self.client.open(
            path if path.startswith("/") else f"/api/v4/{path}",
            method=method,
            json=json,
            headers=self._headers(headers),
            **kwargs,
        )

    def get(self, path, **kwargs):
        return self.request("GET", path, **kwargs)

    def post(self, path, json=None, **kwargs):
        return self.request("POST", path, json=json, **kwargs)

    def put(self, path, json=None, **kwargs):
        return self.request("PUT", path, json=json, **kwargs)

    def delete(self, path, json=None, **kwargs):
        return self.request("DELETE", path, json=json, **kwargs)


@pytest.fixture
def api(app) -> ApiClient:
    return ApiClient(app.test_client())


@pytest.fixture
def make_account(hub):
    """Creates an account directly through the services and logs it in (a session token)."""
    counter = iter(range(1, 10_000))

    def make(username: str | None = None, *, admin: bool = False, **fields) -> Account:
        name = username or f"user{next(counter)}"
        email = f"{name}@example.com"
        user = hub.users.create(
            None,
            {"username": name, "email": email, "password": PASSWORD, **fields},
            system_admin=admin,
            trusted=True,
        )
        _, token = hub.auth.create_session_for(user.id)
        return Account(user.id, name, email, PASSWORD, token)

    return make


@pytest.fixture
def admin(make_account) -> Account:
    return make_account("admin", admin=True)


@dataclass
class Room:
    """A team with a public channel `channel_id` and a private one `private_channel_id`."""

    team_id: str
    channel_id: str
    private_channel_id: str
    owner: Account
    member: Account
    outsider: Account


@pytest.fixture
def room(hub, admin, make_account) -> Room:
    """`owner` made the team and both channels (and administers them); `member` is in the team
    and the public channel only; `outsider` is in no team. `admin` comes first: the first account
    of a server becomes a system admin."""
    from hub.permissions import Actor

    owner, member, outsider = make_account("owner"), make_account("member"), make_account("outsider")
    as_owner = Actor(owner.id, "system_user")
    team = hub.teams.create(as_owner, {"name": "crew", "display_name": "Crew"})
    channel = hub.channels.create(as_owner, {"team_id": team.id, "name": "room", "display_name": "Room"})
    private = hub.channels.create(
        as_owner, {"team_id": team.id, "name": "den", "display_name": "Den", "type": "P"}
    )
    with hub.store.write() as s:
        hub.teams.add_member(s, team, member.id)
        hub.channels.add_member(s, channel, member.id)
    return Room(team.id, channel.id, private.id, owner, member, outsider)


def assert_app_error(response, status: int, error_id: str | None = None) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.headers["Content-Type"] == "application/json"
    body = response.get_json()
    assert set(body) == {"id", "message", "detailed_error", "request_id", "status_code"}
    assert body["status_code"] == status
    if error_id is not None:
        assert body["id"] == error_id
    return body


class LiveServer:
    """The app served over real HTTP on a loopback port, for real client libraries."""

    def __init__(self, app) -> None:
        self.app = app
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.port = self.server.server_port
        self.url = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        # Sockets a test left open hold simple-websocket's threads, which are not daemons: closed here,
        # they cannot keep the test process from exiting.
        sockets = self.app.extensions.get("sockets")
        if sockets is not None:
            sockets.shutdown()
        self.server.shutdown()
        self.thread.join(timeout=5)


@pytest.fixture
def receiver(hub):
    """A local HTTP receiver playing an integration, which the hub may reach on loopback; deliveries to
    it are retried at once and time out after 5 s."""
    from tests.receiver import Receiver

    hub.config["ServiceSettings"].update(
        AllowedUntrustedInternalConnections="127.0.0.1",
        OutgoingIntegrationRequestsTimeout=5,
        OutgoingIntegrationRetryBaseMilliseconds=0,
    )
    server = Receiver()
    yield server
    server.close()


@pytest.fixture
def live_server(app):
    with LiveServer(app) as server:
        yield server


@pytest.fixture
def ws_connect(live_server):
    """Opens authenticated WebSocket clients on the live server: ws_connect(account) -> WsClient."""
    from tests.wsclient import WsClient

    opened: list[WsClient] = []

    def connect(account: Account | None = None, *, query: str = "", authenticate: bool = True) -> WsClient:
        client = WsClient(live_server.port, account.token if account else "", query, authenticate)
        opened.append(client)
        return client

    yield connect
    for client in opened:
        try:
            client.close()
        except Exception:  # already closed by the test or the server
            pass
