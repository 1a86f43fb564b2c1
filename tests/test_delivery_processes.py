"""Outgoing-webhook deliveries between real processes: a `python -m hub worker` killed mid-delivery,
the database dropping every connection under a running worker, and a `python -m hub serve` web process
that sends on its own. Nothing a post queued is lost; a receiver may see a delivery twice.

The worker tests run on a PostgreSQL database of their own (the worker needs Redis, and Redis needs a
database several processes share), like tests/test_ws_processes.py; the web-process test on SQLite.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests
from sqlalchemy import create_engine, select, text
from sqlalchemy.exc import DBAPIError

from hub import models
from hub.config import Config
from hub.permissions import Actor
from hubbub import build_hub
from tests.fixtures import PASSWORD, PG_ADMIN_URL
from tests.receiver import Answer, Received, Receiver
from tests.test_serve import clean_environ
from tests.test_ws_processes import _ok, postgres_database, servers, set_up  # noqa: F401  (fixtures)
from webhooks import outgoing

# Short enough that a delivery claimed by a killed worker is sent again soon: its lease is
# timeout * 2 + 5 s (DeliveryService._lease_ms), the worker's own lease 15 s (hub/worker.py).
TIMEOUT_SECONDS = 4
SETTINGS = {
    "ServiceSettings": {
        "AllowedUntrustedInternalConnections": "127.0.0.1",
        "OutgoingIntegrationRequestsTimeout": TIMEOUT_SECONDS,
        "OutgoingIntegrationRetryBaseMilliseconds": 200,
    },
    # A database number of its own keeps these tests' keys away from other runs' (pub/sub is global).
    "CacheSettings": {"CacheType": "redis", "RedisAddress": "127.0.0.1:6379", "RedisDB": 7},
    "LogSettings": {"ConsoleLevel": "WARN"},
}
# Generous: a worker that took over waits out the dead one's leases (about 15 s).
SETTLE_SECONDS = 45


class Worker:
    """One `python -m hub worker` with its config.json and log."""

    def __init__(self, config_path: Path, log: Path) -> None:
        self.config_path = config_path
        self.log = log
        self.process: subprocess.Popen | None = None

    def start(self) -> Worker:
        with self.log.open("a") as output:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "hub", "worker"],
                cwd=self.config_path.parent,
                env=clean_environ(MM_CONFIG=str(self.config_path)),
                stdout=output,
                stderr=subprocess.STDOUT,
            )
        return self

    def wait_running(self, timeout: float = 30) -> Worker:
        """Until it has connected and migrated: a worker that cannot reach the database at start exits."""
        deadline = time.monotonic() + timeout
        while "Hubbub worker is running" not in self.log.read_text():
            assert self.alive() and time.monotonic() < deadline, self.log.read_text()
            time.sleep(0.1)
        return self

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def kill(self) -> None:
        if self.alive():
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=30)


class Scene:
    """A hub in the test process on the workers' database, a channel with a hook calling `receiver`,
    and workers started on demand; everything is stopped at the end."""

    def __init__(self, folder: Path, sql: dict, receiver: Receiver) -> None:
        data = {
            **json.loads(json.dumps(SETTINGS)),
            "SqlSettings": sql,
            "FileSettings": {"Directory": str(folder / "data")},
        }
        self.config_path = folder / "config.json"
        self.config_path.write_text(json.dumps(data))
        self.folder = folder
        self.hub = build_hub(Config(data))
        self.hub.store.migrate()
        self.workers: list[Worker] = []
        users = self.hub.users
        fields = {"username": "owner", "email": "owner@example.com", "password": PASSWORD}
        owner = users.create(None, fields, trusted=True)
        self.owner = Actor(owner.id, "system_user")
        team = self.hub.teams.create(self.owner, {"name": "crew", "display_name": "Crew"})
        self.channel_id = self.hub.channels.create(
            self.owner, {"team_id": team.id, "name": "room", "display_name": "Room"}
        ).id
        self.hook = outgoing.service(self.hub).create(
            self.owner,
            {
                "team_id": team.id,
                "channel_id": self.channel_id,
                "trigger_words": ["deploy"],
                "callback_urls": [receiver.url("/hook")],
            },
        )

    def worker(self) -> Worker:
        made = Worker(self.config_path, self.folder / f"worker{len(self.workers)}.log").start()
        self.workers.append(made)
        return made

    def post(self, message: str) -> str:
        return self.hub.posts.create(self.owner, {"channel_id": self.channel_id, "message": message}).post.id

    def deliveries(self) -> list[models.Delivery]:
        with self.hub.store.read() as s:
            query = select(models.Delivery).order_by(models.Delivery.create_at, models.Delivery.id)
            return list(s.scalars(query))

    def attempt_numbers(self, delivery_id: str) -> list[int]:
        with self.hub.store.read() as s:
            return list(
                s.scalars(
                    select(models.DeliveryAttempt.number)
                    .where(models.DeliveryAttempt.delivery_id == delivery_id)
                    .order_by(models.DeliveryAttempt.number)
                )
            )

    def settled(self, count: int) -> list[models.Delivery]:
        """The deliveries once `count` of them exist and none is pending, or as they stand at the deadline."""
        deadline = time.monotonic() + SETTLE_SECONDS
        while True:
            made = self.deliveries()
            done = len(made) >= count and all(d.state != "pending" for d in made)
            if done or time.monotonic() > deadline:
                return made
            time.sleep(0.2)

    def logs(self) -> str:
        return "\n".join(f"--- {w.log.name}\n{w.log.read_text()}" for w in self.workers if w.log.exists())

    def close(self) -> None:
        for worker in self.workers:
            worker.kill()
        self.hub.close()


@pytest.fixture
def receiver():
    server = Receiver()
    yield server
    server.close()


@pytest.fixture
def scene(tmp_path, postgres_database, receiver):  # noqa: F811  (the imported fixture)
    made = Scene(tmp_path, postgres_database, receiver)
    yield made
    made.close()


def database_name(sql: dict) -> str:
    return sql["DataSource"].rsplit("/", 1)[1].split("?", 1)[0]


def drop_every_connection(name: str) -> int:
    """What a database restart does to its clients: every backend of the database is ended. (The
    PostgreSQL server itself is shared with other tests and databases, so it is not restarted.)"""
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as c:
            ended = c.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    " WHERE datname = :name AND pid <> pg_backend_pid()"
                ),
                {"name": name},
            ).all()
    finally:
        admin.dispose()
    return len(ended)


def test_a_delivery_claimed_by_a_killed_worker_is_sent_again_by_the_next(scene, receiver):
    answered_first = threading.Event()
    release = threading.Event()

    def hang_first(request: Received) -> Answer:
        # The first request never gets its answer while its worker lives.
        if request.headers["X-Hubbub-Attempt"] == "1":
            answered_first.set()
            release.wait(20)
        return Answer.json({})

    receiver.answer = hang_first
    try:
        first_worker = scene.worker()
        scene.post("deploy api")
        first = receiver.next(timeout=30)
        first_worker.kill()
        (queued,) = scene.deliveries()
        assert (first.headers["X-Hubbub-Delivery"], first.headers["X-Hubbub-Attempt"]) == (queued.id, "1")
        assert queued.state == "pending"

        scene.worker()
        again = receiver.next(timeout=SETTLE_SECONDS)
        assert again.headers["X-Hubbub-Delivery"] == queued.id
        assert int(again.headers["X-Hubbub-Attempt"]) > 1
        assert again.form["text"] == "deploy api"
        (delivered,) = scene.settled(1)
        assert delivered.state == "delivered", scene.logs()
        # The killed worker recorded nothing: the first attempt was cut short, not timed out and retried.
        assert scene.attempt_numbers(queued.id) == [int(again.headers["X-Hubbub-Attempt"])]
    finally:
        release.set()


def post_through_the_outage(scene: Scene, message: str) -> None:
    """Posts as a client would while the database drops connections: again until it is stored. A post
    whose commit was cut may have been stored all the same; the deliveries are counted from the posts."""
    for _ in range(100):
        try:
            scene.post(message)
            return
        except DBAPIError:
            time.sleep(0.05)
    raise AssertionError(f"could not post {message!r} through the outage")


def triggering_posts(scene: Scene) -> int:
    with scene.hub.store.read() as s:
        return len(s.scalars(select(models.Post.id).where(models.Post.message.startswith("deploy"))).all())


def test_deliveries_survive_the_database_dropping_every_connection(
    scene,
    postgres_database,  # noqa: F811  (the imported fixture)
    receiver,
):
    def answer_slowly(_request: Received) -> Answer:
        time.sleep(0.05)  # keeps several deliveries in flight
        return Answer.json({})

    receiver.answer = answer_slowly
    worker = scene.worker().wait_running()
    for n in range(10):
        scene.post(f"deploy backlog {n}")

    outage_over = threading.Event()
    ended: list[int] = []

    def drop_connections_again_and_again() -> None:
        while not outage_over.wait(0.15):
            ended.append(drop_every_connection(database_name(postgres_database)))

    outage = threading.Thread(target=drop_connections_again_and_again)
    outage.start()
    try:
        for n in range(10):
            post_through_the_outage(scene, f"deploy during the outage {n}")
            time.sleep(0.1)
    finally:
        outage_over.set()
        outage.join()
    for n in range(4):
        scene.post(f"deploy after the outage {n}")
    # The worker's and this process's connections were ended, again and again: the outage did happen.
    assert sum(ended) >= len(ended) > 5

    expected = triggering_posts(scene)
    assert expected >= 24
    made = scene.settled(expected)
    assert len(made) == expected
    assert [d.state for d in made] == ["delivered"] * expected, scene.logs()
    seen: set[str] = set()
    while not receiver.requests.empty():
        seen.add(receiver.requests.get_nowait().headers["X-Hubbub-Delivery"])
    assert seen == {d.id for d in made}
    assert worker.alive(), scene.logs()


def test_the_web_process_sends_deliveries_by_itself(servers, receiver):  # noqa: F811
    settings = {"ServiceSettings": dict(SETTINGS["ServiceSettings"])}
    server = servers(settings, "web").start()
    people = set_up(server.url)
    auth = {"Authorization": f"Bearer {people.admin_token}"}
    api = f"{server.url}/api/v4"
    team_id = _ok(requests.get(f"{api}/channels/{people.channel_id}", headers=auth))["team_id"]
    hook = {
        "team_id": team_id,
        "channel_id": people.channel_id,
        "trigger_words": ["deploy"],
        "callback_urls": [receiver.url("/hook")],
    }
    _ok(requests.post(f"{api}/hooks/outgoing", json=hook, headers=auth), 201)
    receiver.answer = Answer.json({"text": "deploying"})

    made = _ok(
        requests.post(
            f"{api}/posts",
            json={"channel_id": people.channel_id, "message": "deploy web"},
            headers={"Authorization": f"Bearer {people.member_token}"},
        ),
        201,
    )
    request = receiver.next(timeout=SETTLE_SECONDS)
    assert (request.form["post_id"], request.form["text"]) == (made["id"], "deploy web")
    # The answer is posted back by the same process.
    deadline = time.monotonic() + SETTLE_SECONDS
    while time.monotonic() < deadline:
        page = _ok(requests.get(f"{api}/channels/{people.channel_id}/posts", headers=auth))
        if page["posts"][page["order"][0]]["message"] == "deploying":
            break
        time.sleep(0.2)
    assert page["posts"][page["order"][0]]["message"] == "deploying", server.log.read_text()
