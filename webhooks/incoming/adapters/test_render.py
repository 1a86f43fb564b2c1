"""The shared Markdown helpers: user-written text stays inert (no links, images, emphasis, code, HTML or
mentions) and only http(s) URLs become link targets."""

from __future__ import annotations

import pytest

from hub.services.posts import mention_names
from webhooks.incoming.adapters.render import (
    MAX_SUBJECT_CHARS,
    code,
    escape,
    link,
    quiet_mentions,
    safe_url,
    subject,
)

WJ = "\u2060"


@pytest.mark.parametrize(
    ("text", "escaped"),
    [
        ("[x](javascript:alert(1))", r"\[x\](javascript:alert(1))"),
        ("![img](https://e.test/a.png)", r"!\[img\](https://e.test/a.png)"),
        ("*bold* _it_ ~~gone~~", r"\*bold\* \_it\_ \~\~gone\~\~"),
        ("`code` and \\`", r"\`code\` and \\\`"),
        ("<img src=x> <https://e.test>", r"\<img src=x\> \<https://e.test\>"),
        ("Fix #7 for ada@example.com", "Fix #7 for ada@example.com"),
    ],
)
def test_escape_makes_markup_inert(text: str, escaped: str) -> None:
    assert escape(text) == escaped


@pytest.mark.parametrize(
    "text", ["Ping @channel", "@all: deploy", "(@here)", "cc @bob.", "@@here", "**@all**"]
)
def test_escaped_text_mentions_no_one_and_looks_the_same(text: str) -> None:
    escaped = escape(text)
    assert mention_names(escaped) == set()
    assert escaped.replace(WJ, "").replace("\\", "") == text


def test_quiet_mentions_leaves_email_addresses_alone() -> None:
    assert quiet_mentions("ada@example.com @ada") == f"ada@example.com @{WJ}ada"


def test_code_span_cannot_be_ended_early_nor_mention() -> None:
    assert code("feature/lamp") == "`feature/lamp`"
    assert code("a`b") == r"a\`b"
    assert mention_names(code("@here")) == set()


@pytest.mark.parametrize(
    ("url", "safe"),
    [
        ("https://e.test/a b)c", "https://e.test/a%20b%29c"),
        ('HTTP://e.test/<x>"`', "HTTP://e.test/%3Cx%3E%22%60"),
        ("https://e.test/@all", "https://e.test/%40all"),
        ("https://ada@e.test/", "https://ada@e.test/"),
        ("javascript:alert(1)", ""),
        ("data:text/html,x", ""),
        ("//e.test/x", ""),
        (None, ""),
    ],
)
def test_safe_url_keeps_only_http_and_encodes_what_would_end_the_link(url: str | None, safe: str) -> None:
    assert safe_url(url) == safe


def test_link_escapes_its_label_and_collapses_line_breaks() -> None:
    assert link("Fix [lamp]\nnow *please*", "https://e.test/1") == (
        r"[Fix \[lamp\] now \*please\*](https://e.test/1)"
    )
    assert link("main", "https://e.test/tree/main", as_code=True) == "[`main`](https://e.test/tree/main)"
    assert link("x](javascript:alert(1))", "javascript:alert(1)") == r"x\](javascript:alert(1))"
    assert link("@all", None) == f"@{WJ}all"


def test_subject_is_prefixed_by_its_kind_and_clipped() -> None:
    assert subject("pipeline", "group/project@main") == "pipeline:group/project@main"
    assert len(subject("job", "x" * 1000)) == MAX_SUBJECT_CHARS
