"""Outgoing webhooks' trigger rules, request bodies and answers."""

import json
from urllib.parse import parse_qs

import pytest

from webhooks.outgoing.protocol import (
    EXACT_MATCH,
    FORM_CONTENT_TYPE,
    JSON_CONTENT_TYPE,
    STARTS_WITH,
    HookAnswer,
    TriggeredPost,
    parse_answer,
    trigger_word,
)


@pytest.mark.parametrize(
    "message, words, when, has_channel, expected",
    [
        ("deploy api", ["deploy"], EXACT_MATCH, False, "deploy"),
        ("deploying api", ["deploy"], EXACT_MATCH, False, None),
        ("deploying api", ["deploy"], STARTS_WITH, False, "deploy"),
        ("  deploy", ["build", "deploy"], EXACT_MATCH, False, "deploy"),
        ("please deploy", ["deploy"], EXACT_MATCH, True, None),
        ("Deploy api", ["deploy"], EXACT_MATCH, False, None),
        ("anything", [], EXACT_MATCH, True, ""),
        ("anything", [], EXACT_MATCH, False, None),
        ("", ["deploy"], STARTS_WITH, True, None),
    ],
)
def test_trigger_words(message, words, when, has_channel, expected):
    assert trigger_word(message, words, when, has_channel) == expected


def test_bodies_carry_mattermosts_fields():
    post = TriggeredPost(
        "tok",
        "t1",
        "crew",
        "c1",
        "room",
        1700000000000,
        "u1",
        "alice",
        "p1",
        "deploy & go",
        "deploy",
        ("f1", "f2"),
    )
    form = {k: v[0] for k, v in parse_qs(post.body(FORM_CONTENT_TYPE), keep_blank_values=True).items()}
    assert form == {
        "token": "tok",
        "team_id": "t1",
        "team_domain": "crew",
        "channel_id": "c1",
        "channel_name": "room",
        "timestamp": "1700000000000",
        "user_id": "u1",
        "user_name": "alice",
        "post_id": "p1",
        "text": "deploy & go",
        "trigger_word": "deploy",
        "file_ids": "f1,f2",
    }
    assert json.loads(post.body(JSON_CONTENT_TYPE))["timestamp"] == 1700000000000


def test_answers():
    assert parse_answer(b"") is None and parse_answer(b"ok") is None and parse_answer(b"[1]") is None
    answer = parse_answer(
        json.dumps({"text": "hi", "response_type": "comment", "attachments": [{"title": "t"}]}).encode()
    )
    assert answer == HookAnswer(text="hi", response_type="comment", attachments=[{"title": "t"}])
    assert answer.posts_something
    odd = parse_answer(b'{"text": 5, "props": [], "attachments": [null]}')
    assert odd == HookAnswer() and not odd.posts_something
