"""What the benchmarks share: their common options, a real server to measure, and latency tallies.

`running_server` starts Hubbub as in production (gunicorn with the gevent worker, `python -m hub serve`)
on a free loopback port with a written config, on SQLite or on a fresh PostgreSQL database, and stops
it afterwards; `set_up_channel` makes the first account, a team and a channel through the API;
`drive` runs closed-loop clients (one requests.Session per thread) and tallies their latencies.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import requests
from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "Bench-passw0rd"
BENCH_DATABASE = "hubbub_bench"
# A failing run prints the end of the server's log; its start is mostly boot chatter.
LOG_TAIL_CHARS = 20_000


@dataclass
class Tally:
    latencies_ms: list[float] = field(default_factory=list)
    errors: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, latency_ms: float, ok: bool) -> None:
        with self.lock:
            if ok:
                self.latencies_ms.append(latency_ms)
            else:
                self.errors += 1


def p50_p99(latencies_ms: list[float]) -> tuple[float | None, float | None]:
    """The median and 99th percentile in milliseconds, rounded; None for an empty list."""
    latencies = sorted(latencies_ms)
    if not latencies:
        return None, None
    cuts = (
        statistics.quantiles(latencies, n=100, method="inclusive") if len(latencies) > 1 else latencies * 99
    )
    return round(cuts[49], 1), round(cuts[98], 1)


def parse_arguments(parser: argparse.ArgumentParser, argv: list[str] | None) -> argparse.Namespace:
    """Adds the options every benchmark has (--db, --workers, --pg-admin-url, --json) and parses."""
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument(
        "--workers", type=int, default=2, help="gunicorn workers on PostgreSQL (SQLite uses 1)"
    )
    parser.add_argument(
        "--pg-admin-url",
        default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres",
        help=f"a PostgreSQL URL allowed to create the {BENCH_DATABASE} database",
    )
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    args = parser.parse_args(argv)
    # The server runs one worker on SQLite whatever it is told (one writer); saying so keeps the
    # config (no Redis bus for a single worker) and the printed figures truthful.
    if args.db == "sqlite":
        args.workers = 1
    return args


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def fresh_postgres_database(admin_url: str) -> str:
    """Drops and creates the benchmark database; answers its Mattermost-style DataSource."""
    engine = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{BENCH_DATABASE}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{BENCH_DATABASE}"'))
    engine.dispose()
    return f"{engine.url.set(drivername='postgres', database=BENCH_DATABASE).render_as_string(False)}?sslmode=disable"


def write_config(folder: Path, args: argparse.Namespace, port: int, settings: dict[str, dict]) -> Path:
    """The server's config.json; `settings` adds keys to its sections (or new sections)."""
    if args.db == "postgres":
        sql = {"DriverName": "postgres", "DataSource": fresh_postgres_database(args.pg_admin_url)}
    else:
        sql = {"DriverName": "sqlite3", "DataSource": str(folder / "data" / "hubbub.db")}
    config = {
        "ServiceSettings": {"ListenAddress": f"127.0.0.1:{port}", "WebserverWorkers": args.workers},
        "SqlSettings": sql,
        "FileSettings": {"Directory": str(folder / "data")},
        "LogSettings": {"ConsoleLevel": "WARN"},
        # Several workers share their events through Redis.
        "CacheSettings": {
            "CacheType": "redis" if args.workers > 1 else "lru",
            "RedisAddress": "127.0.0.1:6379",
        },
    }
    for section, values in settings.items():
        config.setdefault(section, {}).update(values)
    path = folder / "config.json"
    path.write_text(json.dumps(config))
    return path


def start_server(folder: Path, config: Path) -> subprocess.Popen:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("MM_")}
    environ.update(MM_CONFIG=str(config), PYTHONPATH=str(ROOT))
    log = (folder / "serve.log").open("w")
    return subprocess.Popen(
        [sys.executable, "-m", "hub", "serve"], cwd=folder, env=environ, stdout=log, stderr=subprocess.STDOUT
    )


def wait_until_up(url: str, server: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the server exited with {server.returncode}")
        try:
            if requests.get(f"{url}/api/v4/system/ping", timeout=2).ok:
                return
        except requests.RequestException:  # not listening yet, or the worker is still booting
            time.sleep(0.2)
    raise SystemExit(f"the server did not answer within {timeout}s")


@dataclass(frozen=True)
class Server:
    url: str
    # The gunicorn master; its children are the web workers.
    pid: int


@contextmanager
def running_server(
    args: argparse.Namespace, settings: dict[str, dict] | None = None, prefix: str = "hubbub-bench-"
) -> Iterator[Server]:
    """A server up and answering for the duration of the block, in a temporary folder."""
    with tempfile.TemporaryDirectory(prefix=prefix) as tmp:
        folder = Path(tmp)
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        process = start_server(folder, write_config(folder, args, port, settings or {}))
        try:
            wait_until_up(url, process)
            yield Server(url, process.pid)
        except BaseException:  # what the server logged explains most failures
            print((folder / "serve.log").read_text()[-LOG_TAIL_CHARS:], file=sys.stderr)
            raise
        finally:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=30)


def bare_database_url(args: argparse.Namespace, folder: Path) -> str:
    if args.db == "sqlite":
        return f"sqlite:///{folder / 'bare.db'}"
    data_source = fresh_postgres_database(args.pg_admin_url)
    return data_source.replace("postgres://", "postgresql+psycopg://", 1).split("?")[0]


@contextmanager
def running_bare(args: argparse.Namespace) -> Iterator[Server]:
    """The bare stack (bench/bare_app.py) under gunicorn with as many gevent workers as Hubbub gets."""
    with tempfile.TemporaryDirectory(prefix="hubbub-bare-") as tmp:
        port = free_port()
        environ = {
            **os.environ,
            "BARE_DATABASE_URL": bare_database_url(args, Path(tmp)),
            "PSYCOPG_WAIT_FUNC": "wait_poll",
            "PYTHONPATH": str(ROOT),
        }
        command = [sys.executable, "-m", "gunicorn", "-k", "gevent", "-w", str(args.workers)]
        command += ["--worker-connections", "20000", "-b", f"127.0.0.1:{port}", "bench.bare_app:app"]
        process = subprocess.Popen(command, env=environ, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 30
            while True:
                try:
                    requests.post(f"{url}/insert", json={"channel_id": "warm", "message": "up"}, timeout=2)
                    break
                except requests.RequestException:
                    if time.monotonic() > deadline or process.poll() is not None:
                        raise SystemExit("the bare server did not start") from None
                    time.sleep(0.2)
            yield Server(url, process.pid)
        finally:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=30)


def checked(response: requests.Response, status: int) -> dict:
    if response.status_code != status:
        raise SystemExit(f"{response.request.method} {response.url}: {response.status_code} {response.text}")
    return response.json()


def set_up_channel(url: str) -> tuple[str, str]:
    """The first account (a system admin), a team and a channel; answers (token, channel_id)."""
    api = f"{url}/api/v4"
    with requests.Session() as http:
        checked(
            http.post(
                f"{api}/users", json={"username": "bench", "email": "bench@example.com", "password": PASSWORD}
            ),
            201,
        )
        login = http.post(f"{api}/users/login", json={"login_id": "bench", "password": PASSWORD})
        checked(login, 200)
        token = login.headers["Token"]
        http.headers["Authorization"] = f"Bearer {token}"
        team = checked(
            http.post(f"{api}/teams", json={"name": "bench", "display_name": "Bench", "type": "O"}), 201
        )
        channel = checked(
            http.post(
                f"{api}/channels",
                json={"team_id": team["id"], "name": "load", "display_name": "Load", "type": "O"},
            ),
            201,
        )
    return token, channel["id"]


# One request of a client: (its session, the client's number, the request's number) -> succeeded.
Request = Callable[[requests.Session, int, int], bool]


def drive(
    clients: int, seconds: float, request: Request, headers: dict[str, str] | None = None
) -> tuple[Tally, float]:
    """`clients` threads each send `request` back to back for `seconds`; answers the tally and the time taken."""
    tally = Tally()
    started = time.monotonic()
    deadline = started + seconds

    def client(number: int) -> None:
        with requests.Session() as http:
            http.headers.update(headers or {})
            sequence = 0
            while time.monotonic() < deadline:
                sequence += 1
                sent = time.perf_counter()
                try:
                    ok = request(http, number, sequence)
                except requests.RequestException:
                    ok = False
                tally.add((time.perf_counter() - sent) * 1000, ok)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return tally, time.monotonic() - started


def api_poster(url: str, channel_id: str) -> Request:
    """One POST /api/v4/posts per call, as `drive` sends them (the session carries the token)."""

    def post(http: requests.Session, client: int, sequence: int) -> bool:
        response = http.post(
            f"{url}/api/v4/posts",
            json={"channel_id": channel_id, "message": f"client {client} post {sequence}"},
            timeout=30,
        )
        return response.status_code == 201

    return post
