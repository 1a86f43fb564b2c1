"""Posting throughput: N concurrent clients POST /api/v4/posts to a real `python -m hub serve`.

Starts Hubbub as in production (gunicorn with the gevent worker) on a free loopback port, on SQLite
or, with --db postgres, on a fresh PostgreSQL database; creates a user, a team and a channel through
the API; then each client thread (one requests.Session each) posts for --seconds and the totals are
printed: posts/s, p50 and p99 latency in milliseconds, and the number of failed requests.

    .venv/bin/python bench/bench_posts.py --clients 8 --seconds 10
    .venv/bin/python bench/bench_posts.py --db postgres --workers 2
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
from dataclasses import dataclass, field
from pathlib import Path

import requests
from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "Bench-passw0rd"
BENCH_DATABASE = "hubbub_bench"


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


def write_config(folder: Path, args: argparse.Namespace, port: int) -> Path:
    if args.db == "postgres":
        sql = {"DriverName": "postgres", "DataSource": fresh_postgres_database(args.pg_admin_url)}
    else:
        sql = {"DriverName": "sqlite3", "DataSource": str(folder / "data" / "hubbub.db")}
    path = folder / "config.json"
    path.write_text(
        json.dumps(
            {
                "ServiceSettings": {"ListenAddress": f"127.0.0.1:{port}", "WebserverWorkers": args.workers},
                "SqlSettings": sql,
                "FileSettings": {"Directory": str(folder / "data")},
                "LogSettings": {"ConsoleLevel": "WARN"},
                # Several workers share their events through Redis.
                "CacheSettings": {"CacheType": "redis" if args.workers > 1 else "lru", "RedisAddress": "127.0.0.1:6379"},
            }
        )
    )
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


def _checked(response: requests.Response, status: int) -> dict:
    if response.status_code != status:
        raise SystemExit(f"{response.request.method} {response.url}: {response.status_code} {response.text}")
    return response.json()


def set_up_channel(url: str) -> tuple[str, str]:
    """The first account (a system admin), a team and a channel; answers (token, channel_id)."""
    api = f"{url}/api/v4"
    with requests.Session() as http:
        _checked(http.post(f"{api}/users", json={"username": "bench", "email": "bench@example.com",
                                                  "password": PASSWORD}), 201)
        login = http.post(f"{api}/users/login", json={"login_id": "bench", "password": PASSWORD})
        _checked(login, 200)
        token = login.headers["Token"]
        http.headers["Authorization"] = f"Bearer {token}"
        team = _checked(http.post(f"{api}/teams", json={"name": "bench", "display_name": "Bench", "type": "O"}), 201)
        channel = _checked(
            http.post(
                f"{api}/channels",
                json={"team_id": team["id"], "name": "load", "display_name": "Load", "type": "O"},
            ),
            201,
        )
    return token, channel["id"]


def post_until(deadline: float, url: str, token: str, channel_id: str, client: int, tally: Tally) -> None:
    with requests.Session() as http:
        http.headers["Authorization"] = f"Bearer {token}"
        sequence = 0
        while time.monotonic() < deadline:
            sequence += 1
            started = time.perf_counter()
            try:
                response = http.post(
                    f"{url}/api/v4/posts",
                    json={"channel_id": channel_id, "message": f"client {client} post {sequence}"},
                    timeout=30,
                )
                ok = response.status_code == 201
            except requests.RequestException:
                ok = False
            tally.add((time.perf_counter() - started) * 1000, ok)


def drive(url: str, token: str, channel_id: str, clients: int, seconds: float) -> tuple[Tally, float]:
    tally = Tally()
    started = time.monotonic()
    deadline = started + seconds
    threads = [
        threading.Thread(target=post_until, args=(deadline, url, token, channel_id, n, tally)) for n in range(clients)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return tally, time.monotonic() - started


def report(args: argparse.Namespace, tally: Tally, elapsed: float) -> dict:
    latencies = sorted(tally.latencies_ms)
    cuts = statistics.quantiles(latencies, n=100, method="inclusive") if len(latencies) > 1 else latencies * 99
    return {
        "db": args.db,
        "web_workers": 1 if args.db == "sqlite" else args.workers,
        "clients": args.clients,
        "seconds": round(elapsed, 1),
        "posts": len(latencies),
        "posts_per_second": round(len(latencies) / elapsed, 1),
        "p50_ms": round(cuts[49], 1) if cuts else None,
        "p99_ms": round(cuts[98], 1) if cuts else None,
        "errors": tally.errors,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--clients", type=int, default=8, help="concurrent posting clients (threads)")
    parser.add_argument("--seconds", type=float, default=10.0, help="how long to post")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers on PostgreSQL (SQLite uses 1)")
    parser.add_argument(
        "--pg-admin-url",
        default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres",
        help=f"a PostgreSQL URL allowed to create the {BENCH_DATABASE} database",
    )
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="hubbub-bench-") as tmp:
        folder = Path(tmp)
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        server = start_server(folder, write_config(folder, args, port))
        try:
            wait_until_up(url, server)
            token, channel_id = set_up_channel(url)
            tally, elapsed = drive(url, token, channel_id, args.clients, args.seconds)
        except SystemExit:
            print((folder / "serve.log").read_text(), file=sys.stderr)
            raise
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
    result = report(args, tally, elapsed)
    if args.json:
        print(json.dumps(result))
    else:
        print(
            f"{result['db']} ({result['web_workers']} web worker(s)), {result['clients']} clients, "
            f"{result['seconds']}s: {result['posts']} posts, {result['posts_per_second']} posts/s, "
            f"p50 {result['p50_ms']} ms, p99 {result['p99_ms']} ms, {result['errors']} errors"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
