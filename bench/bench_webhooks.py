"""Incoming-webhook ingest: POST /hooks/{id} against the bare POST /api/v4/posts, on one server.

Starts Hubbub as in production (harness.running_server: gunicorn with the gevent worker) on SQLite,
or with --db postgres on a fresh PostgreSQL database with --workers workers, with the per-hook rate
limit off (RateLimitSettings.IncomingWebhookPerSec 0). Creates an admin, a team, a channel and an
incoming webhook for it through the API, then runs three phases of --clients closed-loop clients (one
requests.Session each) for --seconds each, all posting into that channel:

    bare         POST /api/v4/posts with a bearer token (the reference figure)
    text         POST /hooks/{id} with {"text": ...}
    attachment   POST /hooks/{id} with {"text": ..., "attachments": [one CI-style attachment]}

and prints per phase requests/s, p50 and p99 latency in milliseconds and failed requests, and each
webhook phase's throughput as a ratio of the bare one.

    .venv/bin/python bench/bench_webhooks.py --clients 8 --seconds 10
    .venv/bin/python bench/bench_webhooks.py --db postgres --workers 2 --json
"""

from __future__ import annotations

import argparse
import json
import sys

import requests
from harness import (
    Request,
    Tally,
    api_poster,
    checked,
    drive,
    p50_p99,
    parse_arguments,
    running_server,
    set_up_channel,
)

SETTINGS = {
    "ServiceSettings": {"EnableIncomingWebhooks": True},
    # 0 is unlimited: the benchmark measures ingest, not the limiter's refusals.
    "RateLimitSettings": {"IncomingWebhookPerSec": 0},
}


def ci_attachment(client: int, sequence: int) -> dict:
    """What a CI server sends when a pipeline finishes: a coloured card with a link and four short fields."""
    pipeline = client * 1_000_000 + sequence
    return {
        "fallback": f"Pipeline #{pipeline} passed on main",
        "color": "#2eb886",
        "title": f"Pipeline #{pipeline} passed",
        "title_link": f"https://ci.example.com/hubbub/hubbub/-/pipelines/{pipeline}",
        "text": "All 1,204 tests passed on `3f9c2ab` (*Fan out webhook posts through the bus*).",
        "fields": [
            {"title": "Branch", "value": "main", "short": True},
            {
                "title": "Commit",
                "value": "[3f9c2ab](https://ci.example.com/hubbub/hubbub/-/commit/3f9c2ab)",
                "short": True,
            },
            {"title": "Duration", "value": "6m 12s", "short": True},
            {"title": "Triggered by", "value": "@alice", "short": True},
        ],
        "footer": "Hubbub CI",
    }


def hook_poster(url: str, hook_id: str, with_attachment: bool) -> Request:
    def post(http: requests.Session, client: int, sequence: int) -> bool:
        payload = {"text": f"client {client} hook post {sequence}"}
        if with_attachment:
            payload["attachments"] = [ci_attachment(client, sequence)]
        response = http.post(f"{url}/hooks/{hook_id}", json=payload, timeout=30)
        return response.status_code == 200

    return post


def create_hook(url: str, token: str, channel_id: str) -> str:
    response = requests.post(
        f"{url}/api/v4/hooks/incoming",
        json={"channel_id": channel_id},
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )
    return checked(response, 201)["id"]


def check_last_post_has_attachment(url: str, token: str, channel_id: str) -> None:
    """The attachment phase measures nothing useful if the server dropped the attachments on the way."""
    response = requests.get(
        f"{url}/api/v4/channels/{channel_id}/posts",
        params={"per_page": 1},
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )
    page = checked(response, 200)
    last = page["posts"][page["order"][0]]
    if last.get("props", {}).get("attachments", [{}])[0].get("fields") is None:
        raise SystemExit(f"the last webhook post has no attachment: {last}")


def phase_figures(tally: Tally, elapsed: float) -> dict:
    p50, p99 = p50_p99(tally.latencies_ms)
    return {
        "seconds": round(elapsed, 1),
        "requests": len(tally.latencies_ms),
        "requests_per_second": round(len(tally.latencies_ms) / elapsed, 1),
        "p50_ms": p50,
        "p99_ms": p99,
        "errors": tally.errors,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients (threads) in each phase")
    parser.add_argument("--seconds", type=float, default=10.0, help="how long each phase posts")
    args = parse_arguments(parser, argv)

    phases = {}
    with running_server(args, SETTINGS, prefix="hubbub-webhooks-") as server:
        token, channel_id = set_up_channel(server.url)
        hook_id = create_hook(server.url, token, channel_id)
        senders = {
            "bare": (api_poster(server.url, channel_id), {"Authorization": f"Bearer {token}"}),
            "text": (hook_poster(server.url, hook_id, with_attachment=False), None),
            "attachment": (hook_poster(server.url, hook_id, with_attachment=True), None),
        }
        for name, (request, headers) in senders.items():
            phases[name] = phase_figures(*drive(args.clients, args.seconds, request, headers))
        check_last_post_has_attachment(server.url, token, channel_id)
    bare_rate = phases["bare"]["requests_per_second"]
    for name in ("text", "attachment"):
        phases[name]["ratio_to_bare"] = (
            round(phases[name]["requests_per_second"] / bare_rate, 2) if bare_rate else None
        )
    result = {"db": args.db, "web_workers": args.workers, "clients": args.clients, "phases": phases}

    if args.json:
        print(json.dumps(result))
    else:
        print(f"{result['db']} ({result['web_workers']} web worker(s)), {result['clients']} clients")
        for name, figures in phases.items():
            ratio = f", {figures['ratio_to_bare']} x bare" if "ratio_to_bare" in figures else ""
            print(
                f"  {name:<10} {figures['seconds']}s: {figures['requests']} requests, "
                f"{figures['requests_per_second']} requests/s, p50 {figures['p50_ms']} ms, "
                f"p99 {figures['p99_ms']} ms, {figures['errors']} errors{ratio}"
            )
    return 0 if not any(figures["errors"] for figures in phases.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
