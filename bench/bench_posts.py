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
import sys

from harness import Tally, api_poster, drive, p50_p99, parse_arguments, running_server, set_up_channel


def report(args: argparse.Namespace, tally: Tally, elapsed: float) -> dict:
    p50, p99 = p50_p99(tally.latencies_ms)
    return {
        "db": args.db,
        "web_workers": args.workers,
        "clients": args.clients,
        "seconds": round(elapsed, 1),
        "posts": len(tally.latencies_ms),
        "posts_per_second": round(len(tally.latencies_ms) / elapsed, 1),
        "p50_ms": p50,
        "p99_ms": p99,
        "errors": tally.errors,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=8, help="concurrent posting clients (threads)")
    parser.add_argument("--seconds", type=float, default=10.0, help="how long to post")
    args = parse_arguments(parser, argv)

    with running_server(args) as server:
        token, channel_id = set_up_channel(server.url)
        tally, elapsed = drive(
            args.clients,
            args.seconds,
            api_poster(server.url, channel_id),
            {"Authorization": f"Bearer {token}"},
        )
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
