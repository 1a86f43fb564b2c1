"""hub.markdown: the fixture corpus, hostile input, attachments, plain text, speed. No database."""

from __future__ import annotations

import json
import threading
from html.parser import HTMLParser
from pathlib import Path

import pytest

from hub.markdown import highlight_css, plain_text, render_attachment_html, render_html
from hub.markdown.html import _render
from hub.markdown.sanitize import ALLOWED_TAGS, sanitize

CASES = json.loads((Path(__file__).parent / "cases.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES])
def test_corpus(case):
    assert render_html(case["markdown"]) == case["html"]


def test_corpus_covers_every_rule():
    names = " ".join(case["name"] for case in CASES)
    for rule in (
        "mention",
        "special",
        "channel",
        "emoji",
        "hashtag",
        "autolink",
        "mailto",
        "relative",
        "image",
        "table",
        "code",
        "quote",
        "heading",
        "list",
        "break",
        "strikethrough",
    ):
        assert rule in names
    assert len(CASES) >= 40


# Each would run script, load something, or break out of an attribute, if it got through as markup.
HOSTILE = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    '<img src="x" onerror="alert(1)">',
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x](javascript&#58;alert(1))",
    "[x](javascript&#x3A;alert(1))",
    "[x](&#106;avascript:alert(1))",
    "[x]( javascript:alert(1))",
    "[x](<javascript:alert(1)>)",
    "[x](java\tscript:alert(1))",
    "<javascript:alert(1)>",
    "[x](vbscript:msgbox(1))",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "![x](javascript:alert(1))",
    "<svg><script>alert(1)</script></svg>",
    "<svg onload=alert(1)>",
    '<math><annotation-xml encoding="text/html"><img src=x onerror=alert(1)></annotation-xml></math>',
    "<math><mi><style><img src=x onerror=alert(1)></style></mi></math>",
    '<iframe src="https://evil.example"></iframe>',
    '<a href="javascript:alert(1)">click</a>',
    "<a href=https://evil.example onclick=alert(1)>x</a>",
    "<style>body{display:none}</style>",
    "<form action=https://evil.example><input name=p></form>",
    "<textarea><script>alert(1)</script></textarea>",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>',
    '<object data="javascript:alert(1)"></object><embed src=javascript:alert(1)>',
    '@bob"onmouseover="alert(1)',
    "@bob'><script>alert(1)</script>",
    '~chan"><img src=x onerror=alert(1)>',
    '#tag"onmouseover=alert(1)',
    "#tag<img/src=x/onerror=alert(1)>",
    ':smile"onmouseover=alert(1):',
    '[x](https://example.com" onmouseover="alert(1))',
    '[x](<https://example.com" onmouseover="alert(1)>)',
    "[x](https://example.com 'a\" onmouseover=\"alert(1)')",
    '![a" onerror="alert(1)](https://example.com/x.png)',
    '![a](/api/v4/files/abcdefghijklmnopqrstuvwxyz "t\\" onerror=\\"alert(1)")',
    'https://example.com/"><script>alert(1)</script>',
    "[x](//evil.example/path)",
    "[x](/\\evil.example/path)",
    '```"><script>alert(1)</script>\nx\n```',
    "```html\n<script>alert(1)</script>\n```",
    '> <img src=x onerror=alert(1)>\n>> "><svg onload=alert(1)>',
    "\u202e[moc.elpmaxe](javascript:alert(1))\u202d",
    "a\x00<script>alert(1)</script>",
    "<scr\x00ipt>alert(1)</scr\x00ipt>",
    "<!-- --><script>alert(1)</script><!-- -->",
    "<details open ontoggle=alert(1)>",
    "| a |\n|---|\n| <img src=x onerror=alert(1)> |",
    "[![x](https://example.com/i.png)](javascript:alert(1))",
    '<base href="https://evil.example/"><meta http-equiv=refresh content=0;url=javascript:alert(1)>',
]

ALLOWED_SCHEMES = ("http:", "https:", "mailto:")


class _MarkupCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, attrs))

    handle_startendtag = handle_starttag


def assert_no_executable_markup(html: str) -> None:
    collector = _MarkupCollector()
    collector.feed(html)
    collector.close()
    for tag, attributes in collector.elements:
        assert tag in ALLOWED_TAGS, (tag, html)
        for name, value in attributes:
            assert not name.startswith("on"), (name, html)
            assert name != "style", html
            if name in ("href", "src"):
                url = (value or "").strip()
                if url.startswith("/"):
                    assert not url.startswith(("//", "/\\")), html
                else:
                    assert url.lower().startswith(ALLOWED_SCHEMES), (url, html)
            if tag == "img" and name == "src":
                assert (value or "").startswith("/api/v4/files/"), html


@pytest.mark.parametrize("hostile", HOSTILE)
def test_hostile_input_renders_no_executable_markup(hostile):
    html = render_html(hostile)
    assert_no_executable_markup(html)
    assert "<script" not in html.lower()


@pytest.mark.parametrize("hostile", HOSTILE)
def test_hostile_input_in_attachments_renders_no_executable_markup(hostile):
    rendered = render_attachment_html(
        {
            "pretext": hostile,
            "text": hostile,
            "title": hostile,
            "title_link": hostile,
            "author_name": hostile,
            "author_link": hostile,
            "footer": hostile,
            "fields": [{"title": hostile, "value": hostile}],
        }
    )
    for key in ("pretext", "text", "title", "author", "footer"):
        assert_no_executable_markup(rendered[key])
    assert_no_executable_markup(rendered["fields"][0]["title"])
    assert_no_executable_markup(rendered["fields"][0]["value"])


@pytest.mark.parametrize("hostile", [markup for markup in HOSTILE if "<" in markup])
def test_sanitizer_alone_stops_raw_markup(hostile):
    # As if a parser bug had let the raw HTML through.
    assert_no_executable_markup(sanitize(hostile))
    assert_no_executable_markup(sanitize(f"<p>{hostile}</p><pre><code>{hostile}</code></pre>"))


def test_sanitizer_drops_classes_and_attributes_it_does_not_know():
    assert sanitize('<span class="mention evil" data-mention="a" id="x" style="color:red">@a</span>') == (
        '<span class="mention" data-mention="a">@a</span>'
    )
    assert sanitize('<a href="https://example.com" target="_top" rel="opener">x</a>') == (
        '<a href="https://example.com" rel="noopener noreferrer nofollow">x</a>'
    )
    assert sanitize('<img src="https://tracker.example/p.gif" alt="x">') == '<img alt="x">'


def test_hostile_corpus_is_large_enough():
    assert len(HOSTILE) >= 30


def test_raw_html_is_text_not_markup():
    assert render_html('<a href="/x" onclick="go()">x</a>') == (
        '<p>&lt;a href="/x" onclick="go()"&gt;x&lt;/a&gt;</p>\n'
    )


def test_refused_links_stay_visible_as_text():
    assert render_html("[x](javascript:alert(1))") == "<p>[x](javascript:alert(1))</p>\n"


def test_every_link_gets_rel_and_absolute_links_a_new_tab():
    html = render_html("[a](https://example.com) [b](/x) <https://example.org> mailto:a@example.com")
    assert html.count('rel="noopener noreferrer nofollow"') == 4
    assert html.count('target="_blank"') == 3


def test_code_is_highlighted_with_classes_never_inline_style():
    html = render_html("```go\nfunc main() {}\n```")
    assert html.startswith('<pre class="code"><code class="language-go"><span class="kd">func</span>')
    assert "style" not in html


def test_highlight_css_is_scoped_light_theme():
    css = highlight_css()
    rules = [line for line in css.splitlines() if line.strip()]
    assert rules and all(line.startswith(".code") for line in rules)
    assert ".code { background: #f8f8f8; }" in css
    assert ".code .k " in css


def test_render_html_tolerates_non_strings():
    assert render_html(None) == ""  # type: ignore[arg-type]
    assert render_html(["x"]) == ""  # type: ignore[arg-type]
    assert render_html("") == ""


def test_long_texts_render_without_the_cache():
    text = "@bob " * 2000
    html = render_html(text)
    assert html.count('class="mention"') == 2000


# Attachments


def test_attachment_renders_markdown_fields_and_link_only_title():
    rendered = render_attachment_html(
        {
            "pretext": "Deploy by @alice",
            "text": "**3** services :rocket:",
            "title": "Release *v2*",
            "title_link": "https://ci.example.com/r/2",
            "author_name": "CI",
            "author_link": "/team/channels/ci",
            "footer": "<b>bot</b>",
            "fields": [{"title": "Env <x>", "value": "`prod`", "short": True}],
        }
    )
    assert rendered == {
        "pretext": '<p>Deploy by <span class="mention" data-mention="alice">@alice</span></p>\n',
        "text": '<p><strong>3</strong> services <span class="emoji" title=":rocket:">🚀</span></p>\n',
        "title": '<a href="https://ci.example.com/r/2" target="_blank" rel="noopener noreferrer nofollow">'
        "Release *v2*</a>",
        "author": '<a href="/team/channels/ci" rel="noopener noreferrer nofollow">CI</a>',
        "footer": "&lt;b&gt;bot&lt;/b&gt;",
        "fields": [{"title": "Env &lt;x&gt;", "value": "<p><code>prod</code></p>\n"}],
    }


@pytest.mark.parametrize(
    "link",
    [
        "javascript:alert(1)",
        "JAVASCRIPT:alert(1)",
        "java\nscript:alert(1)",
        " javascript:alert(1)",
        "vbscript:x",
        "data:text/html,x",
        "//evil.example",
        "/\\evil.example",
        "/\t/evil.example",
        "ftp://example.com",
        "relative/path",
        "%6Aavascript:alert(1)",
    ],
)
def test_attachment_title_with_unsafe_link_is_plain_text(link):
    rendered = render_attachment_html({"title": "Click <me>", "title_link": link})
    assert rendered["title"] == "Click &lt;me&gt;"


def test_attachment_title_without_link_or_text():
    assert render_attachment_html({"title": "Plain"})["title"] == "Plain"
    assert render_attachment_html({"title_link": "https://example.com"})["title"] == ""


@pytest.mark.parametrize(
    "attachment",
    [
        None,
        "text",
        5,
        [],
        {"fields": "x"},
        {"fields": [None, 3, "x", {"value": 7}, {"title": ["t"]}]},
        {
            "pretext": 1,
            "text": {"a": 1},
            "title": 2.5,
            "title_link": ["https://x"],
            "footer": None,
            "author_name": True,
            "author_link": {},
        },
    ],
)
def test_attachment_tolerates_odd_types(attachment):
    rendered = render_attachment_html(attachment)
    assert set(rendered) == {"pretext", "text", "title", "author", "footer", "fields"}
    assert all(rendered[key] == "" for key in ("pretext", "text", "title", "author", "footer"))
    for field in rendered["fields"]:
        assert field == {"title": "", "value": ""}


def test_attachment_fields_keep_their_positions():
    rendered = render_attachment_html({"fields": [None, {"title": "B", "value": "b"}]})
    assert rendered["fields"] == [{"title": "", "value": ""}, {"title": "B", "value": "<p>b</p>\n"}]


# Plain text


@pytest.mark.parametrize(
    ("markdown", "text"),
    [
        ("**bold** _em_ ~~gone~~", "bold em gone"),
        ("[the log](https://ci.example.com/1)", "the log (https://ci.example.com/1)"),
        ("[https://example.com](https://example.com)", "https://example.com"),
        ("see https://example.com/a and www.example.com", "see https://example.com/a and www.example.com"),
        ("<https://example.com>", "https://example.com"),
        (
            "[mail](mailto:a@example.com) [a@example.com](mailto:a@example.com)",
            "mail (mailto:a@example.com) a@example.com",
        ),
        ("[x](javascript:alert(1))", "[x](javascript:alert(1))"),
        ("run `make @test`", "run make @test"),
        ("```python\nprint('<x>')\n```", "print('<x>')"),
        (":smile: :+1: :unknown_thing:", "😄 👍 :unknown_thing:"),
        ("@alice @channel ~town-square #release", "@alice @channel ~town-square #release"),
        ("# Title\n\nBody", "Title\n\nBody"),
        ("line one\nline two", "line one\nline two"),
        ("- a\n- b", "- a\n- b"),
        ("3. c\n4. d", "3. c\n4. d"),
        ("- a\n  - nested", "- a\n  - nested"),
        ("> quoted\n> more", "> quoted\n> more"),
        ("| a | b |\n|---|---|\n| 1 | 2 |", "a | b\n1 | 2"),
        ("![graph](https://example.com/g.png)", "graph (https://example.com/g.png)"),
        ("<b>not markup</b> &amp; &lt;", "<b>not markup</b> & <"),
        ("a\n\n---\n\nb", "a\n\nb"),
        ("", ""),
    ],
)
def test_plain_text(markdown, text):
    assert plain_text(markdown) == text


def test_plain_text_tolerates_non_strings():
    assert plain_text(None) == ""  # type: ignore[arg-type]


# Caching and sharing (the speed is measured by bench/bench_markdown.py)

CI_ALERT = (
    "**Build #1234 failed** :x: on `main` for @alice.\n"
    "[View the log](https://ci.example.com/job/hubbub/1234/console): 3 tests failed in "
    "tests/test_posts.py, see ~ci-alerts #flaky :warning: cc @bob @here"
)


def test_repeated_render_is_cached():
    text = CI_ALERT + " cached"
    first = render_html(text)
    assert render_html(text) is first


def test_threads_share_the_renderer():
    texts = [f"{case['markdown']}\n\n@user{n} :smile: #tag{n}" for n, case in enumerate(CASES)]
    expected = [_render(text) for text in texts]
    results: dict[int, list[str]] = {}

    def render_all(worker: int) -> None:
        results[worker] = [_render(text) for text in texts]

    threads = [threading.Thread(target=render_all, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(results[n] == expected for n in range(4))
