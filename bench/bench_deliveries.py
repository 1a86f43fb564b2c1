"""Outgoing-webhook deliveries: how soon a triggering post reaches its callback, and how many per second.

Starts Hubbub as in production (harness.running_server: gunicorn with the gevent worker, whose web
workers run the delivery loop) on SQLite, or with --db postgres on a fresh PostgreSQL database with
--workers workers, allowed to call loopback (ServiceSettings.AllowedUntrustedInternalConnections).
Creates an admin, a team, a channel and an outgoing webhook on the trigger word "deploy" whose
callback is an HTTP receiver in this process, then --clients threads post --posts triggering messages
in all through POST /api/v4/posts, back to back, and the receiver notes when each delivery arrives.
Prints:

    trigger latency  p50/p99 from the client sending the post to the delivery's arrival, and from the
                     post's create_at (the server's clock; same machine) to the arrival
    deliveries/s     arrivals over the span from the first arrival to the last
    lost, duplicated posts that never reached the receiver, and requests beyond one per post (both 0
                     on a healthy run; a duplicate is allowed by at-least-once, but none is expected)

    .venv/bin/python bench/bench_deliveries.py --posts 500 --clients 8
    .venv/bin/python bench/bench_deliveries.py --db postgres --workers 2 --json
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import requests
from harness import checked, p50_p99, parse_arguments, running_server, set_up_channel

SETTINGS = {
    "ServiceSettings": {
        "EnableOutgoingWebhooks": True,
        "AllowedUntrustedInternalConnections": "127.0.0.1",
        "OutgoingIntegrationRequestsTimeout": 10,
    },
}
# How long the receiver waits for the last deliveries after the last post was answered.
SETTLE_SECONDS = 120


@dataclass
class Arrivals:
    """What the receiver saw: each request's post id and delivery id, and when it came (epoch ms)."""

    requests: list[tuple[str, str, float]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, post_id: str, delivery_id: str) -> None:
        arrived = time.time() * 1000
        with self.lock:
            self.requests.append((post_id, delivery_id, arrived))

    def first_by_post(self) -> dict[str, float]:
        with self.lock:
            seen: dict[str, float] = {}
            for post_id, _, arrived in self.requests:
                seen.setdefault(post_id, arrived)
            return seen


def start_receiver(arrivals: Arrivals) -> ThreadingHTTPServer:
    """A callback on a loopback port that answers 200 with an empty JSON object (nothing is posted back)."""

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args) -> None:
            pass

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            post_id = parse_qs(body.decode()).get("post_id", [""])[0]
            arrivals.add(post_id, self.headers.get("X-Hubbub-Delivery", ""))
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"{}")

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def create_hook(url: str, token: str, channel_id: str, callback: str) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    channel = checked(requests.get(f"{url}/api/v4/channels/{channel_id}", headers=headers, timeout=30), 200)
    hook = {
        "team_id": channel["team_id"],
        "channel_id": channel_id,
        "trigger_words": ["deploy"],
        "callback_urls": [callback],
    }
    checked(requests.post(f"{url}/api/v4/hooks/outgoing", json=hook, headers=headers, timeout=30), 201)


@dataclass
class Sent:
    """Each post's id with when its client sent it and its create_at (both epoch ms); failed posts."""

    posts: dict[str, tuple[float, int]] = field(default_factory=dict)
    errors: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


def post_all(url: str, token: str, channel_id: str, posts: int, clients: int) -> Sent:
    """`clients` threads post `posts` triggering messages between them, each once the last is answered."""
    sent = Sent()

    def client(number: int) -> None:
        with requests.Session() as http:
            http.headers["Authorization"] = f"Bearer {token}"
            for sequence in range(number, posts, clients):
                message = f"deploy build {sequence} by client {number}"
                started = time.time() * 1000
                try:
                    response = http.post(
                        f"{url}/api/v4/posts", json={"channel_id": channel_id, "message": message}, timeout=30
                    )
                except requests.RequestException:
                    response = None
                with sent.lock:
                    if response is not None and response.status_code == 201:
                        made = response.json()
                        sent.posts[made["id"]] = (started, made["create_at"])
                    else:
                        sent.errors += 1

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sent


def wait_for_arrivals(arrivals: Arrivals, post_ids: set[str]) -> None:
    deadline = time.monotonic() + SETTLE_SECONDS
    while time.monotonic() < deadline and not post_ids <= arrivals.first_by_post().keys():
        time.sleep(0.05)
    # Duplicates, if any, come soon after; a short quiet spell lets them be counted.
    time.sleep(1.0)


def figures(sent: Sent, arrivals: Arrivals) -> dict:
    first = arrivals.first_by_post()
    delivered = [post_id for post_id in sent.posts if post_id in first]
    from_send = [first[p] - sent.posts[p][0] for p in delivered]
    from_create = [first[p] - sent.posts[p][1] for p in delivered]
    arrival_times = sorted(first[p] for p in delivered)
    span_s = (arrival_times[-1] - arrival_times[0]) / 1000 if len(arrival_times) > 1 else 0.0
    with arrivals.lock:
        per_delivery = Counter(delivery_id for _, delivery_id, _ in arrivals.requests)
        deliveries_per_post = Counter(post_id for post_id, _ in {(p, d) for p, d, _ in arrivals.requests})
    send_p50, send_p99 = p50_p99(from_send)
    create_p50, create_p99 = p50_p99(from_create)
    return {
        "posts": len(sent.posts),
        "post_errors": sent.errors,
        "delivered": len(delivered),
        "lost": len(sent.posts) - len(delivered),
        # Requests of one delivery beyond the first, and posts that got more than one delivery.
        "duplicated": sum(n - 1 for n in per_delivery.values())
        + sum(n - 1 for n in deliveries_per_post.values()),
        "deliveries_per_second": round(len(delivered) / span_s, 1) if span_s else None,
        "from_send_p50_ms": send_p50,
        "from_send_p99_ms": send_p99,
        "from_create_at_p50_ms": create_p50,
        "from_create_at_p99_ms": create_p99,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=300, help="triggering posts in all")
    parser.add_argument("--clients", type=int, default=4, help="concurrent posting clients (threads)")
    args = parse_arguments(parser, argv)

    arrivals = Arrivals()
    receiver = start_receiver(arrivals)
    try:
        with running_server(args, SETTINGS, prefix="hubbub-deliveries-") as server:
            token, channel_id = set_up_channel(server.url)
            create_hook(server.url, token, channel_id, f"http://127.0.0.1:{receiver.server_port}/hook")
            started = time.monotonic()
            sent = post_all(server.url, token, channel_id, args.posts, args.clients)
            posting_s = time.monotonic() - started
            wait_for_arrivals(arrivals, set(sent.posts))
    finally:
        receiver.shutdown()
        receiver.server_close()
    result = {
        "db": args.db,
        "web_workers": args.workers,
        "clients": args.clients,
        "posts_per_second": round(len(sent.posts) / posting_s, 1),
        **figures(sent, arrivals),
    }

    if args.json:
        print(json.dumps(result))
    else:
        print(f"{result['db']} ({result['web_workers']} web worker(s)), {result['clients']} clients")
        print(
            f"  posted      {result['posts']} triggering posts at {result['posts_per_second']} posts/s, "
            f"{result['post_errors']} failed"
        )
        print(
            f"  delivered   {result['delivered']} at {result['deliveries_per_second']} deliveries/s; "
            f"{result['lost']} lost, {result['duplicated']} duplicated"
        )
        print(
            f"  latency     send -> callback p50 {result['from_send_p50_ms']} ms, "
            f"p99 {result['from_send_p99_ms']} ms; create_at -> callback "
            f"p50 {result['from_create_at_p50_ms']} ms, p99 {result['from_create_at_p99_ms']} ms"
        )
    healthy = not (result["lost"] or result["duplicated"] or result["post_errors"])
    return 0 if healthy else 1


if __name__ == "__main__":
    sys.exit(main())
