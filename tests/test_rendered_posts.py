"""Hubbub's opt-in rendered posts: `X-Hubbub-Render: html` on REST and `?render=html` on the socket add
`metadata.hubbub_html`; every other client gets Mattermost's post unchanged."""

from __future__ import annotations

import json

MESSAGE = "**Deploy** of `api` done :tada: <script>alert(1)</script>"
ATTACHMENT = {
    "pretext": "CI",
    "title": "Build 7",
    "title_link": "javascript:alert(1)",
    "text": "_all_ green",
    "fields": [{"title": "Branch", "value": "`main`", "short": True}],
}
RENDER = {"X-Hubbub-Render": "html"}


def test_rest_answers_carry_the_rendered_html_only_when_asked(api, room):
    client = api.as_(room.owner)
    body = {"channel_id": room.channel_id, "message": MESSAGE, "props": {"attachments": [ATTACHMENT]}}
    created = client.post("posts", body, headers=RENDER).get_json()
    rendered = created["metadata"]["hubbub_html"]
    assert rendered["message"].startswith("<p><strong>Deploy</strong> of <code>api</code> done ")
    assert "<script" not in rendered["message"] and "&lt;script&gt;" in rendered["message"]
    assert rendered["attachments"][0]["title"] == "Build 7"  # an unsafe link leaves the title as text
    assert rendered["attachments"][0]["fields"][0]["value"] == "<p><code>main</code></p>\n"
    plain = client.get(f"posts/{created['id']}").get_json()
    assert "hubbub_html" not in plain["metadata"] and plain["message"] == MESSAGE
    listed = client.get(f"channels/{room.channel_id}/posts", headers=RENDER).get_json()
    assert listed["posts"][created["id"]]["metadata"]["hubbub_html"] == rendered
    assert (
        "hubbub_html"
        not in client.get(f"channels/{room.channel_id}/posts").get_json()["posts"][created["id"]]["metadata"]
    )


def test_sockets_that_ask_get_rendered_posts_and_the_others_mattermosts(api, room, ws_connect):
    rendering = ws_connect(room.owner, query="?render=html")
    plain = ws_connect(room.owner)
    api.as_(room.member).post("posts", {"channel_id": room.channel_id, "message": MESSAGE})
    rendered_post = json.loads(rendering.expect("posted")["data"]["post"])
    plain_post = json.loads(plain.expect("posted")["data"]["post"])
    assert rendered_post["metadata"]["hubbub_html"]["message"].startswith("<p><strong>Deploy</strong>")
    assert "hubbub_html" not in plain_post["metadata"]
    assert {k: v for k, v in rendered_post.items() if k != "metadata"} == {
        k: v for k, v in plain_post.items() if k != "metadata"
    }
