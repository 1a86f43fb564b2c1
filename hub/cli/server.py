"""`serve`, `worker` and `db migrate`."""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sys
import threading
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from hub import config as hub_config
from hub.cli.lookups import LOCAL_ACTOR
from hub.errors import AppError
from hub.worker import supervise

if TYPE_CHECKING:
    from hub.cli import Cli

ROOT = Path(__file__).resolve().parent.parent.parent
GUNICORN_CONF = ROOT / "server" / "gunicorn_conf.py"


def cmd_serve(cli: Cli, config: hub_config.Config, _args: argparse.Namespace) -> int:
    hub = cli.open_hub(config)
    try:
        has_users = bool(hub.users.list(LOCAL_ACTOR, {"per_page": 1}))
    finally:
        hub.close()
    print(f"Hubbub is starting on {config.site_url} (database: {config['SqlSettings']['DriverName']})")
    if not has_users:
        print(
            "No account exists yet. Create the first system admin with\n"
            "  python -m hub user create --email EMAIL --username NAME --password PASSWORD --system-admin\n"
            f"or sign up at {config.site_url}: the first account becomes the system admin."
        )
    sys.stdout.flush()
    # A fresh interpreter, so that gevent patches the worker before psycopg or requests are imported.
    argv = [sys.executable, "-m", "gunicorn", "--config", str(GUNICORN_CONF), cli.wsgi_app]
    os.execv(sys.executable, argv)


def cmd_worker(cli: Cli, config: hub_config.Config, _args: argparse.Namespace) -> int:
    """The worker process: an asyncio program running every worker job (each in a thread of its own)
    until SIGTERM or SIGINT. The web processes run the same jobs; leases keep each active once."""
    if config["CacheSettings"]["CacheType"] != "redis":
        # With the in-process bus, the posts a job makes here would never reach the web's clients.
        raise AppError(
            "cli.worker.needs_redis",
            "The worker process needs CacheSettings.CacheType redis; without it the web process runs the "
            "worker's jobs itself.",
            400,
        )
    hub = cli.open_hub(config)
    stop = threading.Event()
    jobs = hub.extensions.worker_jobs

    async def main() -> None:
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, stop.set)
        print(f"Hubbub worker is running ({', '.join(job.name for job in jobs)}).", flush=True)
        await asyncio.gather(*(asyncio.to_thread(supervise, job, hub, stop) for job in jobs))

    try:
        asyncio.run(main())
    finally:
        hub.close()
    return 0


def cmd_db_migrate(cli: Cli, config: hub_config.Config, _args: argparse.Namespace) -> int:
    hub = cli.open_hub(config)
    try:
        print(f"Database is at schema revision {hub.store.current_revision()}.")
    finally:
        hub.close()
    return 0


def register(cli: Cli) -> None:
    cli.top_command(
        "serve", partial(cmd_serve, cli), "Migrate the database and serve HTTP with gunicorn and gevent."
    )
    cli.top_command(
        "worker",
        partial(cmd_worker, cli),
        "Run the worker's jobs (deliveries to integrations...); needs Redis.",
    )
    db = cli.group("db", "Database schema.")
    cli.command(
        db, "migrate", partial(cmd_db_migrate, cli), "Upgrade the database schema to the latest revision."
    )
