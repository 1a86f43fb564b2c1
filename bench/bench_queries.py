"""The channel queries that grow with a channel's history, on one channel of --posts posts, in process.

Builds a Hub on a fresh database (SQLite, or PostgreSQL with --db postgres), fills a channel with --posts
posts (bulk inserts: what is measured is reading), and times, in milliseconds (median and p90 of
--rounds calls):

    page           GET /channels/{id}/posts, the newest page of 60 with its next/prev cursors
    since          GET /channels/{id}/posts?since=, what a reconnecting client asks (5 recent changes)
    retry          POST /posts of a pending_post_id already posted (the client's retry check)

each beside the bare figure of the same run: one primary-key SELECT of a post on the same engine, the
floor of any query the database answers.

    .venv/bin/python bench/bench_queries.py
    .venv/bin/python bench/bench_queries.py --posts 100000 --db postgres --json
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import insert, text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from harness import fresh_postgres_database  # noqa: E402

from hub import models  # noqa: E402
from hub.config import Config  # noqa: E402
from hub.ids import new_id, now_ms  # noqa: E402
from hub.permissions import Actor  # noqa: E402
from hub.services import Hub  # noqa: E402

BATCH = 5000


def timed(call: Callable[[], object], rounds: int) -> dict:
    samples = []
    for _ in range(rounds):
        started = time.perf_counter()
        call()
        samples.append((time.perf_counter() - started) * 1000)
    ordered = sorted(samples)
    return {
        "median_ms": round(statistics.median(ordered), 2),
        "p90_ms": round(ordered[int(len(ordered) * 0.9) - 1], 2),
    }


def build_hub(args: argparse.Namespace, folder: Path) -> Hub:
    if args.db == "postgres":
        sql = {"DriverName": "postgres", "DataSource": fresh_postgres_database(args.pg_admin_url)}
    else:
        sql = {"DriverName": "sqlite3", "DataSource": str(folder / "hubbub.db")}
    hub = Hub(Config({"SqlSettings": sql, "FileSettings": {"Directory": str(folder / "files")}}))
    hub.store.migrate()
    return hub


def fill(hub: Hub, channel_id: str, user_id: str, count: int) -> None:
    """`count` posts a millisecond apart, ending a minute ago; the newest five edited just now."""
    start = now_ms() - 60_000 - count
    with hub.store.engine.begin() as connection:
        for first in range(0, count, BATCH):
            rows = []
            for number in range(first, min(count, first + BATCH)):
                at = start + number
                rows.append(
                    {
                        "id": new_id(),
                        "create_at": at,
                        "update_at": at,
                        "edit_at": 0,
                        "delete_at": 0,
                        "is_pinned": False,
                        "user_id": user_id,
                        "channel_id": channel_id,
                        "root_id": "",
                        "original_id": "",
                        "message": f"load message {number}",
                        "type": "",
                        "props": {},
                        "hashtags": "",
                        "file_ids": [],
                        "pending_post_id": f"pending-{number}",
                        "reply_count": 0,
                        "last_reply_at": 0,
                        "has_reactions": False,
                    }
                )
            connection.execute(insert(models.Post), rows)
        connection.execute(
            text("UPDATE posts SET update_at = :now WHERE channel_id = :channel AND create_at >= :recent"),
            {"now": now_ms(), "channel": channel_id, "recent": start + count - 5},
        )
        # PostgreSQL's autovacuum gathers statistics on its own; SQLite plans without any, as it runs.
        if hub.store.engine.dialect.name == "postgresql":
            connection.execute(text("ANALYZE posts"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=50)
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--pg-admin-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        hub = build_hub(args, Path(folder))
        try:
            user = hub.users.create(
                None,
                {"username": "bench", "email": "bench@example.com", "password": "Bench-passw0rd"},
                trusted=True,
            )
            actor = Actor(user.id, user.roles)
            team = hub.teams.create(actor, {"name": "bench", "display_name": "Bench"})
            channel = hub.channels.create(actor, {"team_id": team.id, "name": "load", "display_name": "Load"})
            fill(hub, channel.id, user.id, args.posts)
            since = now_ms() - 30_000
            newest = hub.posts.for_channel(actor, channel.id, {})
            assert (
                len(newest.order) == 60
                and len(hub.posts.for_channel(actor, channel.id, {"since": since}).order) == 5
            )
            retry = {
                "channel_id": channel.id,
                "message": "again",
                "pending_post_id": f"pending-{args.posts - 1}",
            }
            assert hub.posts.create(actor, retry).post.message == f"load message {args.posts - 1}"
            any_id = newest.order[30]

            def bare() -> None:
                with hub.store.engine.connect() as connection:
                    connection.execute(text("SELECT * FROM posts WHERE id = :id"), {"id": any_id}).one()

            result = {
                "db": args.db,
                "posts": args.posts,
                "bare_pk_select": timed(bare, args.rounds),
                "page": timed(lambda: hub.posts.for_channel(actor, channel.id, {}), args.rounds),
                "since": timed(
                    lambda: hub.posts.for_channel(actor, channel.id, {"since": since}), args.rounds
                ),
                "retry": timed(lambda: hub.posts.create(actor, retry), args.rounds),
            }
        finally:
            hub.close()
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(f"{args.db}, one channel of {args.posts} posts, {args.rounds} calls each (ms)")
        print(f"{'query':<16}{'median':>10}{'p90':>10}")
        for name in ("bare_pk_select", "page", "since", "retry"):
            print(f"{name:<16}{result[name]['median_ms']:>10}{result[name]['p90_ms']:>10}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
