"""WebSocket delivery between real server processes: gunicorn workers, separate nodes, restarts.

Each server is `python -m hub serve` (gunicorn with the gevent worker), as in production; the
PostgreSQL tests share events through Redis and use a database of their own, dropped afterwards.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
from simple_websocket import ConnectionClosed
from sqlalchemy import create_engine, text

from tests.fixtures import PASSWORD, PG_ADMIN_URL
from tests.test_serve import clean_environ, free_port, wait_for_ping
from tests.wsclient import WsClient

REDIS_CACHE = {"CacheType": "redis", "RedisAddress": "127.0.0.1:6379"}
DELIVERY_SECONDS = 1.0


class Server:
    """One `python -m hub serve` with its own config.json and log."""

    def __init__(self, folder: Path, settings: dict) -> None:
        self.folder = folder
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        folder.mkdir(parents=True, exist_ok=True)
        config = {
            "FileSettings": {"Directory": str(folder / "data")},
            "LogSettings": {"ConsoleLevel": "WARN"},
            **settings,
        }
        config["ServiceSettings"] = {
            **settings.get("ServiceSettings", {}),
            "ListenAddress": f"127.0.0.1:{self.port}",
        }
        self.config_path = folder / "config.json"
        self.config_path.write_text(json.dumps(config))
        self.log = folder / "serve.log"
        self.process: subprocess.Popen | None = None

    def start(self) -> Server:
        with self.log.open("a") as output:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "hub", "serve"],
                cwd=self.folder,
                env=clean_environ(MM_CONFIG=str(self.config_path)),
                stdout=output,
                stderr=subprocess.STDOUT,
            )
        wait_for_ping(self.url, self.process, self.log)
        return self

    def stop(self, how: signal.Signals = signal.SIGTERM) -> int:
        assert self.process is not None
        self.process.send_signal(how)
        return self.process.wait(timeout=30)

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()


@pytest.fixture
def servers(tmp_path):
    """Makes servers (`servers(settings, name=...)`) and kills whatever is still running at the end."""
    made: list[Server] = []

    def make(settings: dict, name: str = "node") -> Server:
        server = Server(tmp_path / f"{name}{len(made)}", settings)
        made.append(server)
        return server

    yield make
    for server in made:
        server.kill()


def _recreate(name: str, create: bool) -> None:
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        if create:
            c.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()


@pytest.fixture
def postgres_database():
    """SqlSettings for an empty PostgreSQL database (named after this process), dropped afterwards."""
    name = f"hubbub_ws_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}_{os.getpid()}"
    _recreate(name, create=True)
    try:
        yield {
            "DriverName": "postgres",
            "DataSource": f"postgres://postgres@127.0.0.1:5432/{name}?sslmode=disable",
        }
    finally:
        _recreate(name, create=False)


@dataclass
class Scene:
    """The first admin (who posts), a member of the same channel, and the channel."""

    admin_token: str
    member_token: str
    channel_id: str


def _ok(response: requests.Response, status: int = 200) -> dict:
    assert response.status_code == status, f"{response.request.method} {response.url}: {response.text}"
    return response.json()


def _login(url: str, username: str) -> str:
    response = requests.post(f"{url}/api/v4/users/login", json={"login_id": username, "password": PASSWORD})
    _ok(response)
    return response.headers["Token"]


def set_up(url: str) -> Scene:
    api = f"{url}/api/v4"
    _ok(
        requests.post(
            f"{api}/users", json={"username": "boss", "email": "boss@example.com", "password": PASSWORD}
        ),
        201,
    )
    admin_token = _login(url, "boss")
    with requests.Session() as http:
        http.headers["Authorization"] = f"Bearer {admin_token}"
        member = _ok(
            http.post(
                f"{api}/users", json={"username": "mia", "email": "mia@example.com", "password": PASSWORD}
            ),
            201,
        )
        team = _ok(http.post(f"{api}/teams", json={"name": "crew", "display_name": "Crew", "type": "O"}), 201)
        channel = _ok(
            http.post(
                f"{api}/channels",
                json={"team_id": team["id"], "name": "room", "display_name": "Room", "type": "O"},
            ),
            201,
        )
        _ok(
            http.post(
                f"{api}/teams/{team['id']}/members", json={"team_id": team["id"], "user_id": member["id"]}
            ),
            201,
        )
        _ok(http.post(f"{api}/channels/{channel['id']}/members", json={"user_id": member["id"]}), 201)
    return Scene(admin_token, _login(url, "mia"), channel["id"])


def post(url: str, token: str, channel_id: str, message: str) -> dict:
    return _ok(
        requests.post(
            f"{url}/api/v4/posts",
            json={"channel_id": channel_id, "message": message},
            headers={"Authorization": f"Bearer {token}"},
        ),
        201,
    )


def assert_posted_once_to_each(sockets: list[WsClient], post_id: str) -> None:
    """Every socket gets the post within DELIVERY_SECONDS of the REST answer, and only once."""
    deadline = time.monotonic() + DELIVERY_SECONDS
    for socket in sockets:
        event = socket.expect("posted", timeout=max(0.01, deadline - time.monotonic()))
        assert json.loads(event["data"]["post"])["id"] == post_id
    for socket in sockets:
        again = [e for e in socket.drain(quiet=0.2) if e["event"] == "posted"]
        assert again == [], f"a socket got the post {len(again) + 1} times"


def worker_of(socket: WsClient) -> str:
    return socket.hello["data"]["server_hostname"]


def connect(server: Server, token: str, query: str = "") -> WsClient:
    return WsClient(server.port, token, query)


def test_sqlite_single_process_delivers_each_post_once(servers):
    server = servers({}).start()
    scene = set_up(server.url)
    sockets = [connect(server, token) for token in (scene.admin_token, scene.member_token) * 3]
    assert len({worker_of(s) for s in sockets}) == 1
    created = post(server.url, scene.admin_token, scene.channel_id, "hello everyone")
    assert_posted_once_to_each(sockets, created["id"])


def test_two_gunicorn_workers_share_events_through_redis(servers, postgres_database):
    server = servers(
        {
            "SqlSettings": postgres_database,
            "CacheSettings": REDIS_CACHE,
            "ServiceSettings": {"WebserverWorkers": 2},
        }
    ).start()
    scene = set_up(server.url)
    sockets: list[WsClient] = []
    # The kernel hands each new connection to whichever worker accepts first: open until both hold some.
    while len(sockets) < 6 or len({worker_of(s) for s in sockets}) < 2:
        assert len(sockets) < 60, "every socket landed on the same worker"
        sockets.append(connect(server, (scene.admin_token, scene.member_token)[len(sockets) % 2]))
    workers = {worker_of(s) for s in sockets}
    assert len(workers) == 2 and all(w.rsplit(":", 1)[1].isdigit() for w in workers)

    for n in range(3):
        created = post(server.url, scene.admin_token, scene.channel_id, f"message {n}")
        assert_posted_once_to_each(sockets, created["id"])


def test_two_nodes_on_one_database_deliver_each_others_posts(servers, postgres_database):
    settings = {"SqlSettings": postgres_database, "CacheSettings": REDIS_CACHE}
    # One after the other: each migrates the database as it starts.
    first = servers(settings, "first").start()
    second = servers(settings, "second").start()
    scene = set_up(first.url)
    on_first = [connect(first, scene.member_token), connect(first, scene.admin_token)]
    on_second = [connect(second, scene.member_token), connect(second, scene.admin_token)]

    through_first = post(first.url, scene.admin_token, scene.channel_id, "from the first node")
    assert_posted_once_to_each(on_first + on_second, through_first["id"])
    through_second = post(second.url, scene.member_token, scene.channel_id, "from the second node")
    assert_posted_once_to_each(on_first + on_second, through_second["id"])


def test_presence_spans_nodes(servers, postgres_database):
    settings = {"SqlSettings": postgres_database, "CacheSettings": REDIS_CACHE}
    first = servers(settings, "first").start()
    second = servers(settings, "second").start()
    scene = set_up(first.url)
    member = _ok(
        requests.get(
            f"{first.url}/api/v4/users/me", headers={"Authorization": f"Bearer {scene.member_token}"}
        )
    )
    watcher = connect(first, scene.admin_token)
    on_first, on_second = connect(first, scene.member_token), connect(second, scene.member_token)
    assert watcher.expect("status_change", user_id=member["id"])["data"]["status"] == "online"
    # A socket is counted a moment after its hello: both must be, before one closes.
    _wait_until_counted(member["id"], 2)

    on_first.close()
    time.sleep(0.5)
    assert [
        e for e in watcher.drain() if e["event"] == "status_change" and e["data"]["user_id"] == member["id"]
    ] == []
    on_second.close()
    assert watcher.expect("status_change", user_id=member["id"])["data"] == {
        "status": "offline",
        "user_id": member["id"],
    }


def _wait_until_counted(user_id: str, sockets: int) -> None:
    import redis

    from hub.presence import REDIS_KEY_PREFIX

    client = redis.Redis(host="127.0.0.1", port=6379)
    deadline = time.monotonic() + 20
    try:
        while sum(int(count) for count in client.hvals(REDIS_KEY_PREFIX + user_id)) < sockets:
            assert time.monotonic() < deadline, f"{sockets} sockets of {user_id} were never counted"
            time.sleep(0.05)
    finally:
        client.close()


def read_everything(socket: WsClient) -> int:
    """Reads what the socket has been sent so far and answers the last seq, as a client remembers it."""
    return max(frame["seq"] for frame in [socket.hello, *socket.drain()])


def test_a_reconnect_replays_what_the_socket_missed(servers):
    server = servers({}).start()
    scene = set_up(server.url)
    socket = connect(server, scene.member_token)
    connection_id, seen = socket.hello["data"]["connection_id"], read_everything(socket)
    socket.close()
    time.sleep(0.3)
    missed = [
        post(server.url, scene.admin_token, scene.channel_id, f"while away {n}")["id"] for n in range(2)
    ]

    resumed = connect(
        server, scene.member_token, f"?connection_id={connection_id}&sequence_number={seen + 1}"
    )
    assert resumed.hello["data"]["connection_id"] == connection_id
    # The missed events come first, numbered on from where the client stopped, then a new hello.
    replayed = [e for e in resumed.events if e["seq"] < resumed.hello["seq"]]
    assert [e["seq"] for e in replayed] == list(range(seen + 1, resumed.hello["seq"]))
    posted = [json.loads(e["data"]["post"])["id"] for e in replayed if e["event"] == "posted"]
    assert posted == missed


def test_after_a_restart_a_reconnect_gets_a_new_connection(servers):
    server = servers({}).start()
    scene = set_up(server.url)
    socket = connect(server, scene.member_token)
    connection_id, seen = socket.hello["data"]["connection_id"], read_everything(socket)
    assert server.stop() == 0

    server.start()
    again = connect(server, scene.member_token, f"?connection_id={connection_id}&sequence_number={seen + 1}")
    assert again.hello["seq"] == 0
    assert again.hello["data"]["connection_id"] != connection_id


@pytest.mark.parametrize(
    "how, workers",
    [(signal.SIGTERM, 1), (signal.SIGTERM, 2), (signal.SIGINT, 2)],
    ids=["graceful-1-worker", "graceful-2-workers", "quick-2-workers"],
)
def test_stopping_closes_every_socket_with_going_away(servers, postgres_database, how, workers):
    settings = {
        "SqlSettings": postgres_database,
        "CacheSettings": REDIS_CACHE,
        "ServiceSettings": {"WebserverWorkers": workers},
    }
    server = servers(settings).start()
    scene = set_up(server.url)
    sockets = [connect(server, scene.member_token) for _ in range(4)]
    started = time.monotonic()
    assert server.stop(how) == 0, server.log.read_text()
    # gunicorn would wait graceful_timeout (5 s) for sockets that never end by themselves.
    assert time.monotonic() - started < 4
    for socket in sockets:
        assert close_code(socket) == 1001


def close_code(socket: WsClient, timeout: float = 3.0) -> int | None:
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            socket.ws.receive(timeout=0.2)
    except ConnectionClosed:
        return socket.ws.close_reason
    return None
