"""The web client in Chromium: time to the first message list and channel-switch latency on a channel with
--posts posts, and the page's memory under --minutes of live traffic, each beside the bare API's figure.

Starts Hubbub as in production (harness.running_server) on SQLite, fills a channel "load" with --posts
posts (and a channel "quiet" with 30) through the API, then in Debian's Chromium (Playwright, as the
browser tests drive it) signed in by cookie:

    first list     navigation to /bench/channels/load until its newest message shows; beside it, the same
                   data fetched by a bare client (GET users/me, my teams, my channels and members, the
                   newest 60 posts) with requests: the floor any page has to pay
    switch         a click on the other channel in the sidebar until its newest message shows, first
                   visit (posts fetched) and later visits (posts kept); beside it, the bare GET of 60 posts
    live traffic   one poster posts --rate posts/s into the open channel for --minutes; the page's JS heap
                   (CDP Performance.getMetrics, after a garbage collection) and DOM nodes before and after, beside the same page left
                   idle for a minute before the traffic

Figures are medians (and p90) in milliseconds over --rounds.

    .venv/bin/python bench/bench_web.py --minutes 1
    .venv/bin/python bench/bench_web.py --posts 10000 --minutes 60 --json
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time

import requests
from harness import PASSWORD, checked, parse_arguments, running_server, set_up_channel

CHROMIUM = os.environ.get("HUBBUB_CHROMIUM", "/usr/bin/chromium")


def median_p90(samples: list[float]) -> dict:
    ordered = sorted(samples)
    return {
        "median_ms": round(statistics.median(ordered), 1),
        "p90_ms": round(ordered[int(len(ordered) * 0.9) - 1], 1),
    }


def fill(url: str, token: str, channel_id: str, count: int) -> None:
    """`count` posts through the API, one after another so that the newest is the highest number."""
    with requests.Session() as http:
        http.headers["Authorization"] = f"Bearer {token}"
        for number in range(count):
            checked(
                http.post(
                    f"{url}/api/v4/posts",
                    timeout=30,
                    json={"channel_id": channel_id, "message": f"load message {number}"},
                ),
                201,
            )


def bare_first_list(url: str, token: str, team_id: str, channel_id: str) -> float:
    headers = {"Authorization": f"Bearer {token}"}
    started = time.perf_counter()
    with requests.Session() as http:
        http.headers.update(headers)
        for path in (
            "users/me",
            "users/me/teams",
            f"users/me/teams/{team_id}/channels",
            f"users/me/teams/{team_id}/channels/members",
            f"channels/{channel_id}/posts?per_page=60",
        ):
            checked(http.get(f"{url}/api/v4/{path}", timeout=30), 200)
    return (time.perf_counter() - started) * 1000


def bare_posts(url: str, token: str, channel_id: str) -> float:
    started = time.perf_counter()
    checked(
        requests.get(
            f"{url}/api/v4/channels/{channel_id}/posts?per_page=60",
            headers={"Authorization": f"Bearer {token}"},
            timeout=30,
        ),
        200,
    )
    return (time.perf_counter() - started) * 1000


def page_memory(page) -> dict:
    session = page.context.new_cdp_session(page)
    # Garbage first: what is measured is what the page holds, not what it has yet to free.
    session.send("HeapProfiler.collectGarbage")
    session.send("Performance.enable")
    metrics = {m["name"]: m["value"] for m in session.send("Performance.getMetrics")["metrics"]}
    session.detach()
    return {"js_heap_mib": round(metrics["JSHeapUsedSize"] / 1048576, 1), "dom_nodes": int(metrics["Nodes"])}


def newest_shown(page, text: str) -> None:
    page.get_by_role("log", name="Messages").get_by_text(text, exact=True).wait_for(timeout=60_000)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=10_000, help="posts in the big channel")
    parser.add_argument("--rounds", type=int, default=7, help="measurements per figure")
    parser.add_argument("--minutes", type=float, default=60.0, help="how long the live traffic runs")
    parser.add_argument("--rate", type=float, default=1.0, help="live posts per second")
    args = parse_arguments(parser, argv)
    from playwright.sync_api import sync_playwright

    settings = {"RateLimitSettings": {"LoginPerMinute": 100000}}
    with running_server(args, settings) as server, sync_playwright() as playwright:
        url = server.url
        token, load_id = set_up_channel(url)
        headers = {"Authorization": f"Bearer {token}"}
        load = checked(requests.get(f"{url}/api/v4/channels/{load_id}", headers=headers, timeout=30), 200)
        quiet = checked(
            requests.post(
                f"{url}/api/v4/channels",
                headers=headers,
                timeout=30,
                json={"team_id": load["team_id"], "name": "quiet", "display_name": "Quiet", "type": "O"},
            ),
            201,
        )
        fill(url, token, load_id, args.posts)
        for number in range(30):
            checked(
                requests.post(
                    f"{url}/api/v4/posts",
                    headers=headers,
                    timeout=30,
                    json={"channel_id": quiet["id"], "message": f"quiet message {number}"},
                ),
                201,
            )
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
        context = browser.new_context(base_url=url, viewport={"width": 1280, "height": 800})
        context.request.post(f"{url}/api/v4/users/login", data={"login_id": "bench", "password": PASSWORD})

        first_list, bare_list = [], []
        for _ in range(args.rounds):
            page = context.new_page()
            started = time.perf_counter()
            page.goto("/bench/channels/load")
            newest_shown(page, f"load message {args.posts - 1}")
            first_list.append((time.perf_counter() - started) * 1000)
            page.close()
            bare_list.append(bare_first_list(url, token, load["team_id"], load_id))

        page = context.new_page()
        page.goto("/bench/channels/load")
        newest_shown(page, f"load message {args.posts - 1}")
        first_visit, later_visits, bare_switch = [], [], []
        for round_number in range(args.rounds):
            for name, newest in (("Quiet", "quiet message 29"), ("Load", f"load message {args.posts - 1}")):
                started = time.perf_counter()
                page.get_by_role("link", name=name, exact=True).click()
                newest_shown(page, newest)
                (first_visit if round_number == 0 and name == "Quiet" else later_visits).append(
                    (time.perf_counter() - started) * 1000
                )
            bare_switch.append(bare_posts(url, token, quiet["id"]))
        # A first visit again: a fresh page opened on the big channel, then one click to the quiet one.
        for _ in range(args.rounds - 1):
            fresh = context.new_page()
            fresh.goto("/bench/channels/load")
            newest_shown(fresh, f"load message {args.posts - 1}")
            started = time.perf_counter()
            fresh.get_by_role("link", name="Quiet", exact=True).click()
            newest_shown(fresh, "quiet message 29")
            first_visit.append((time.perf_counter() - started) * 1000)
            fresh.close()

        time.sleep(60)
        idle = page_memory(page)
        posted = 0
        deadline = time.monotonic() + args.minutes * 60
        with requests.Session() as http:
            http.headers.update(headers)
            while time.monotonic() < deadline:
                checked(
                    http.post(
                        f"{url}/api/v4/posts",
                        timeout=30,
                        json={"channel_id": load_id, "message": f"live message {posted}"},
                    ),
                    201,
                )
                posted += 1
                time.sleep(1 / args.rate)
        newest_shown(page, f"live message {posted - 1}")
        page.wait_for_timeout(2000)
        after = page_memory(page)
        browser.close()

    result = {
        "posts_in_channel": args.posts,
        "first_message_list": median_p90(first_list),
        "bare_api_first_list": median_p90(bare_list),
        "switch_first_visit": median_p90(first_visit),
        "switch_later_visits": median_p90(later_visits),
        "bare_api_60_posts": median_p90(bare_switch),
        "live_minutes": args.minutes,
        "live_posts": posted,
        "page_idle": idle,
        "page_after_live_traffic": after,
    }
    if args.json:
        print(json.dumps(result))
        return 0
    print(f"channel of {args.posts} posts, {args.rounds} rounds, Chromium headless, SQLite")
    for label, key, peer in (
        ("first message list", "first_message_list", "bare_api_first_list"),
        ("switch, first visit", "switch_first_visit", "bare_api_60_posts"),
        ("switch, later visits", "switch_later_visits", "bare_api_60_posts"),
    ):
        print(
            f"  {label:<22} median {result[key]['median_ms']} ms, p90 {result[key]['p90_ms']} ms"
            f"   (bare API: median {result[peer]['median_ms']} ms)"
        )
    print(
        f"  page after {args.minutes} min of live traffic ({posted} posts): {after['js_heap_mib']} MiB JS heap, "
        f"{after['dom_nodes']} DOM nodes   (idle before: {idle['js_heap_mib']} MiB, {idle['dom_nodes']} nodes)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
