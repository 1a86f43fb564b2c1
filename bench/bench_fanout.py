"""WebSocket fan-out: one sender posts M messages to a channel watched by N idle sockets.

Starts Hubbub as in production (harness.running_server: gunicorn with the gevent worker) on SQLite
with one worker, or with --db postgres on a fresh PostgreSQL database with --workers workers sharing
events through Redis. Creates --users members of one channel, opens --sockets WebSockets spread over
them (an asyncio client on the `websockets` package), then posts --messages messages through the REST
API one after the other and prints: posted events delivered per second, p50/p99 latency from the start
of the REST call to the event's arrival, lost and duplicated events (both must be 0), and the memory
each idle socket costs the server (VmRSS of the workers before and after opening them). The same client
first runs against the bare stack (bench/bare_app.py: flask-sock under the same gunicorn gevent worker,
sending each post to every socket) and the figures are printed side by side with the ratios the issue
sets targets for (p99 at most 1.5x bare, RAM per idle socket at most 1.2x bare); --no-bare skips it.

    .venv/bin/python bench/bench_fanout.py --sockets 100
    .venv/bin/python bench/bench_fanout.py --sockets 5000 --messages 20
    .venv/bin/python bench/bench_fanout.py --db postgres --workers 2 --sockets 1000
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import resource
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import requests
from harness import PASSWORD, checked, p50_p99, parse_arguments, running_bare, running_server, set_up_channel
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

# The message text carries its number; finding it in the raw frame spares parsing thousands of frames twice.
MARKER = "fanout-message-"
NUMBER_IN_FRAME = re.compile(re.escape(MARKER).encode() + rb"(\d+)\.")
POSTED = b'"event":"posted"'
# Opening thousands of sockets at once would overflow the listen backlog; this many handshakes at a time.
OPENING_AT_ONCE = 100
# Each of those handshakes authenticates against the database; uncapped, every worker's pool (Mattermost's
# default MaxOpenConns is 300) would run PostgreSQL out of connections (max_connections is 100 by default).
MAX_OPEN_CONNS_PER_WORKER = 10


@dataclass
class Deliveries:
    """What every socket received, and when each message was sent."""

    sent_at: dict[int, float] = field(default_factory=dict)
    latencies_ms: list[float] = field(default_factory=list)
    per_socket: list[Counter] = field(default_factory=list)
    last_arrival: float = 0.0
    # Close codes of the sockets the server closed during the run (a lost event usually means one).
    closed: Counter = field(default_factory=Counter)

    def arrived(self, socket: int, number: int) -> None:
        moment = time.perf_counter()
        self.per_socket[socket][number] += 1
        self.latencies_ms.append((moment - self.sent_at[number]) * 1000)
        self.last_arrival = moment


def raise_fd_limit() -> int:
    """Each socket is a descriptor in this process and one in the server, which inherits this limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return hard


def worker_pids(master: int) -> list[int]:
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    return [int(pid) for pid in children]


def rss_kib(pids: list[int]) -> int:
    total = 0
    for pid in pids:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1])
    return total


def make_members(url: str, admin_token: str, channel_id: str, count: int) -> list[str]:
    """`count` accounts in the channel's team and in the channel; answers their session tokens."""
    api = f"{url}/api/v4"
    tokens = []
    with requests.Session() as http:
        http.headers["Authorization"] = f"Bearer {admin_token}"
        team_id = checked(http.get(f"{api}/channels/{channel_id}"), 200)["team_id"]
        for n in range(count):
            name = f"watcher{n}"
            user = checked(
                http.post(
                    f"{api}/users",
                    json={"username": name, "email": f"{name}@example.com", "password": PASSWORD},
                ),
                201,
            )
            checked(
                http.post(f"{api}/teams/{team_id}/members", json={"team_id": team_id, "user_id": user["id"]}),
                201,
            )
            checked(http.post(f"{api}/channels/{channel_id}/members", json={"user_id": user["id"]}), 201)
            login = http.post(f"{api}/users/login", json={"login_id": name, "password": PASSWORD})
            checked(login, 200)
            tokens.append(login.headers["Token"])
    return tokens


async def open_socket(url: str, token: str, gate: asyncio.Semaphore) -> tuple[ClientConnection, str]:
    """An authenticated socket; answers it and the server_hostname of its hello (which worker holds it)."""
    async with gate:
        ws = await connect(f"{url}/api/v4/websocket", max_size=None, ping_interval=None, open_timeout=120)
        await ws.send(json.dumps({"seq": 1, "action": "authentication_challenge", "data": {"token": token}}))
        while True:
            frame = json.loads(await ws.recv())
            if frame.get("event") == "hello":
                return ws, frame["data"]["server_hostname"]


async def listen(ws: ClientConnection, socket: int, deliveries: Deliveries) -> None:
    try:
        async for raw in ws:
            raw = raw.encode() if isinstance(raw, str) else raw
            if POSTED in raw:
                found = NUMBER_IN_FRAME.search(raw)
                if found:
                    deliveries.arrived(socket, int(found.group(1)))
    except ConnectionClosed:
        pass
    deliveries.closed[ws.close_code] += 1


def send_posts(
    url: str, token: str, channel_id: str, messages: int, pause: float, deliveries: Deliveries
) -> None:
    with requests.Session() as http:
        http.headers["Authorization"] = f"Bearer {token}"
        for number in range(messages):
            deliveries.sent_at[number] = time.perf_counter()
            checked(
                http.post(
                    f"{url}/api/v4/posts", json={"channel_id": channel_id, "message": f"{MARKER}{number}."}
                ),
                201,
            )
            time.sleep(pause)


async def fan_out(url: str, token: str, channel_id: str, tokens: list[str], args, master: int) -> dict:
    ws_url = url.replace("http://", "ws://")
    pids = worker_pids(master)
    rss_before = rss_kib(pids)
    gate = asyncio.Semaphore(OPENING_AT_ONCE)
    opening_started = time.perf_counter()
    opened = await asyncio.gather(
        *(open_socket(ws_url, tokens[n % len(tokens)], gate) for n in range(args.sockets))
    )
    opening_seconds = time.perf_counter() - opening_started
    await asyncio.sleep(2)  # let the presence updates of the new sockets go by
    rss_after = rss_kib(pids)

    deliveries = Deliveries(per_socket=[Counter() for _ in opened])
    listeners = [asyncio.create_task(listen(ws, n, deliveries)) for n, (ws, _) in enumerate(opened)]
    started = time.perf_counter()
    await asyncio.to_thread(send_posts, url, token, channel_id, args.messages, args.pause, deliveries)
    expected = args.sockets * args.messages
    deadline = time.perf_counter() + args.settle
    while len(deliveries.latencies_ms) < expected and time.perf_counter() < deadline:
        await asyncio.sleep(0.05)
    await asyncio.sleep(0.5)  # anything arriving now would be a duplicate
    closed_by_server = dict(deliveries.closed)
    for task in listeners:
        task.cancel()
    await asyncio.gather(*(ws.close() for ws, _ in opened), return_exceptions=True)

    unique = sum(len(counts) for counts in deliveries.per_socket)
    delivered = len(deliveries.latencies_ms)
    p50, p99 = p50_p99(deliveries.latencies_ms)
    elapsed = (deliveries.last_arrival or time.perf_counter()) - started
    return {
        "db": args.db,
        "web_workers": len(pids),
        "workers_holding_sockets": len({hostname for _, hostname in opened}),
        "sockets": args.sockets,
        "messages": args.messages,
        "opening_seconds": round(opening_seconds, 1),
        "delivered": delivered,
        "delivered_per_second": round(delivered / elapsed, 1) if elapsed > 0 else None,
        "p50_ms": p50,
        "p99_ms": p99,
        "lost": expected - unique,
        "duplicated": delivered - unique,
        "closed_by_server": closed_by_server,
        "rss_kib_per_socket": round((rss_after - rss_before) / args.sockets, 1),
        "rss_mib_before": round(rss_before / 1024, 1),
        "rss_mib_after": round(rss_after / 1024, 1),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sockets", type=int, default=100, help="idle sockets listening to the channel")
    parser.add_argument("--users", type=int, default=20, help="accounts the sockets are spread over")
    parser.add_argument("--messages", type=int, default=50, help="posts the sender makes")
    parser.add_argument("--pause", type=float, default=0.05, help="seconds between two posts")
    parser.add_argument("--settle", type=float, default=30.0, help="seconds to wait for late events")
    parser.add_argument("--no-bare", action="store_true", help="measure Hubbub only")
    args = parse_arguments(parser, argv)
    fd_limit = raise_fd_limit()
    if fd_limit < args.sockets + 100:  # client and server each hold one end
        raise SystemExit(f"the descriptor limit ({fd_limit}) is too low for {args.sockets} sockets")

    # Every socket comes from this one address, spread over --users accounts: lift the per-address and
    # per-user limits to what the run opens.
    per_user = -(-args.sockets // args.users)
    settings = {
        "SqlSettings": {"MaxOpenConns": MAX_OPEN_CONNS_PER_WORKER},
        "ServiceSettings": {
            "MaximumWebSocketConnectionsPerRemoteAddress": args.sockets + 10,
            "MaximumWebSocketConnectionsPerUser": per_user + 10,
        },
    }
    results = {}
    if not args.no_bare:
        with running_bare(args) as server:
            bare_tokens = ["bare"] * args.users
            results["bare"] = asyncio.run(
                fan_out(server.url, "bare", "c" * 26, bare_tokens, args, server.pid)
            )
    with running_server(args, settings, prefix="hubbub-fanout-") as server:
        token, channel_id = set_up_channel(server.url)
        tokens = make_members(server.url, token, channel_id, args.users)
        results["hubbub"] = asyncio.run(fan_out(server.url, token, channel_id, tokens, args, server.pid))
    result = results["hubbub"]
    if "bare" in results:
        bare = results["bare"]
        result["vs_bare"] = {
            "p99": round(result["p99_ms"] / bare["p99_ms"], 2) if bare["p99_ms"] else None,
            "rss_per_socket": round(result["rss_kib_per_socket"] / bare["rss_kib_per_socket"], 2)
            if bare["rss_kib_per_socket"] > 0
            else None,
            "delivered_per_second": round(result["delivered_per_second"] / bare["delivered_per_second"], 2)
            if bare["delivered_per_second"]
            else None,
        }
    if args.json:
        print(json.dumps(results))
    else:
        for name, figures in results.items():
            print(
                f"{name}: {figures['db']} ({figures['web_workers']} web worker(s), "
                f"{figures['workers_holding_sockets']} holding sockets), {figures['sockets']} sockets x "
                f"{figures['messages']} posts: {figures['delivered']} delivered, "
                f"{figures['delivered_per_second']} events/s, p50 {figures['p50_ms']} ms, p99 {figures['p99_ms']} ms, "
                f"lost {figures['lost']}, duplicated {figures['duplicated']}, closed by the server "
                f"{figures['closed_by_server']}, {figures['rss_kib_per_socket']} KiB RSS per idle socket "
                f"({figures['rss_mib_before']} -> {figures['rss_mib_after']} MiB), opened in "
                f"{figures['opening_seconds']} s"
            )
        if "vs_bare" in result:
            ratios = result["vs_bare"]
            print(
                f"hubbub vs bare: p99 {ratios['p99']}x (target <= 1.5), RAM per idle socket "
                f"{ratios['rss_per_socket']}x (target <= 1.2), events/s {ratios['delivered_per_second']}x"
            )
    return 0 if result["lost"] == result["duplicated"] == 0 and not result["closed_by_server"] else 1


if __name__ == "__main__":
    sys.exit(main())
