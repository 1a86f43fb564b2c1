"""The post path against the bare stack, in one run with one load generator: wrk (64 connections) posts
to a bare Flask + SQLAlchemy endpoint doing one INSERT and one COMMIT (bench/bare_app.py), then to
Hubbub's `POST /api/v4/posts` and `POST /hooks/{id}`, each served by gunicorn with one gevent worker
(two with --workers 2 on PostgreSQL), and prints requests per second and each one's ratio to the bare
endpoint. The issue's target is 0.40 or more for both Hubbub endpoints.

    .venv/bin/python bench/bench_post_path.py                         # SQLite, 10 s per endpoint
    .venv/bin/python bench/bench_post_path.py --db postgres --workers 2
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import tempfile

import requests
from harness import checked, parse_arguments, running_bare, running_server, set_up_channel

WRK_SCRIPT = """
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
{auth}
wrk.body = '{body}'
"""


def wrk(url: str, body: dict, seconds: float, connections: int, token: str = "") -> dict:
    """Runs wrk against one endpoint; answers requests/s, p50/p99 latency and the non-2xx count."""
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is missing: `make bench` installs it (Debian package wrk)")
    auth = f'wrk.headers["Authorization"] = "Bearer {token}"' if token else ""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT.format(auth=auth, body=json.dumps(body)))
    try:
        out = subprocess.run(
            [
                "wrk",
                "-t2",
                f"-c{connections}",
                f"-d{round(seconds)}s",
                "--timeout",
                "30s",
                "--latency",
                "-s",
                script.name,
                url,
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    finally:
        os.unlink(script.name)
    failed = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    return {
        "requests_per_second": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "p50": re.search(r"^\s+50%\s+(\S+)", out, re.MULTILINE).group(1),
        "p99": re.search(r"^\s+99%\s+(\S+)", out, re.MULTILINE).group(1),
        "failed": int(failed.group(1)) if failed else 0,
        "socket_errors": sum(int(n) for n in errors.groups()) if errors else 0,
    }


def measure_bare(args: argparse.Namespace) -> dict:
    with running_bare(args) as server:
        body = {"channel_id": "c" * 26, "message": "hello"}
        return wrk(f"{server.url}/insert", body, args.seconds, args.connections)


def measure_hubbub(args: argparse.Namespace) -> dict[str, dict]:
    # The bare endpoint's pool (10 kept, 20 at most): with Mattermost's defaults (20 kept, 300 at most) 64
    # connections would open and close PostgreSQL connections all the time and run it out of them.
    settings = {
        "RateLimitSettings": {"Enable": False, "IncomingWebhookPerSec": 0},
        "SqlSettings": {"MaxIdleConns": 10, "MaxOpenConns": 20},
    }
    with running_server(args, settings) as server:
        token, channel_id = set_up_channel(server.url)
        hook = checked(
            requests.post(
                f"{server.url}/api/v4/hooks/incoming",
                json={"channel_id": channel_id},
                headers={"Authorization": f"Bearer {token}"},
                timeout=30,
            ),
            201,
        )
        posts = wrk(
            f"{server.url}/api/v4/posts",
            {"channel_id": channel_id, "message": "hello"},
            args.seconds,
            args.connections,
            token,
        )
        hooks = wrk(f"{server.url}/hooks/{hook['id']}", {"text": "hello"}, args.seconds, args.connections)
    return {"POST /api/v4/posts": posts, "POST /hooks/{id}": hooks}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="how long wrk runs per endpoint")
    parser.add_argument("--connections", type=int, default=64, help="wrk's open connections")
    args = parse_arguments(parser, argv)
    bare = measure_bare(args)
    hubbub = measure_hubbub(args)
    rows = {"bare INSERT+COMMIT": bare, **hubbub}
    result = {
        "db": args.db,
        "web_workers": args.workers,
        "connections": args.connections,
        "endpoints": {
            name: {**row, "vs_bare": round(row["requests_per_second"] / bare["requests_per_second"], 2)}
            for name, row in rows.items()
        },
    }
    if args.json:
        print(json.dumps(result))
        return 0
    print(f"{args.db}, {args.workers} web worker(s), wrk -c{args.connections}, {args.seconds:g} s each")
    for name, row in result["endpoints"].items():
        print(
            f"  {name:<22} {row['requests_per_second']:>8.1f} req/s  p50 {row['p50']:>8}  p99 {row['p99']:>8}"
            f"  {row['vs_bare']:.2f}x bare  failed {row['failed'] + row['socket_errors']}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
