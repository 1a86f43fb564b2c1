"""Markdown rendering: hub.markdown.render_html beside bare markdown-it-py, in one run, per message.

Renders --count distinct CI-alert messages (about 200 characters: a bold line, an emoji, code, a link,
mentions, a channel, a hashtag) through Hubbub's renderer, its cache defeated by distinct texts, and through
markdown-it-py's "js-default" preset alone (no Mattermost rules, no highlighting, no sanitiser), and prints
the mean and best microseconds per message of each and their ratio.

    .venv/bin/python bench/bench_markdown.py
    .venv/bin/python bench/bench_markdown.py --count 20000 --json
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from markdown_it import MarkdownIt

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from hub.markdown import render_html  # noqa: E402

CI_ALERT = (
    "**Build #{n} failed** :x: on `main` for @alice.\n"
    "[View the log](https://ci.example.com/job/hubbub/{n}/console): 3 tests failed in "
    "tests/test_posts.py, see ~ci-alerts #flaky :warning: cc @bob @here"
)
ROUNDS = 5


def per_message_us(render, count: int, offset: int) -> tuple[float, float]:
    """(mean, best) microseconds per message over ROUNDS rounds of `count` distinct messages."""
    rounds = []
    for round_number in range(ROUNDS):
        texts = [CI_ALERT.format(n=offset + round_number * count + n) for n in range(count)]
        started = time.perf_counter()
        for text in texts:
            render(text)
        rounds.append((time.perf_counter() - started) / count * 1e6)
    return round(sum(rounds) / len(rounds), 1), round(min(rounds), 1)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=2000, help="distinct messages per round")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    args = parser.parse_args(argv)
    bare = MarkdownIt("js-default")
    render_html(CI_ALERT.format(n=0))  # the first render loads what Pygments and linkify load lazily
    hubbub = per_message_us(render_html, args.count, 1)
    plain = per_message_us(bare.render, args.count, 1)
    result = {
        "messages_per_round": args.count,
        "hubbub_us": {"mean": hubbub[0], "best": hubbub[1]},
        "bare_markdown_it_us": {"mean": plain[0], "best": plain[1]},
        "ratio_to_bare": round(hubbub[0] / plain[0], 2),
    }
    if args.json:
        print(json.dumps(result))
        return 0
    print(f"{args.count} distinct CI alerts per round, {ROUNDS} rounds")
    print(f"  hub.markdown.render_html: mean {hubbub[0]} µs, best {hubbub[1]} µs per message")
    print(f"  bare markdown-it-py:      mean {plain[0]} µs, best {plain[1]} µs per message")
    print(f"  Hubbub's renderer costs {result['ratio_to_bare']} × the bare parser")
    return 0


if __name__ == "__main__":
    sys.exit(main())
