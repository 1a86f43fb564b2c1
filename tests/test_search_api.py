"""POST /api/v4/teams/{team_id}/posts/search on each database's full text index."""

from __future__ import annotations

import importlib.util
import time
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from alembic.migration import MigrationContext
from alembic.operations import Operations
from sqlalchemy import inspect, select, text

from hub import models
from hub.ids import new_id, now_ms
from hub.permissions import Actor
from hub.store import MIGRATIONS_DIR
from tests.fixtures import Account, assert_app_error


def ms(moment: str) -> int:
    return int(datetime.fromisoformat(moment).replace(tzinfo=UTC).timestamp() * 1000)


@dataclass
class World:
    alice: Account
    bob: Account
    carol: Account
    team_id: str
    town_square: str
    off_topic: str
    private: str
    public_unjoined: str


@pytest.fixture
def world(hub, admin, make_account) -> World:
    """alice made team 'dev' and its channels; bob is in the team and its default channels only;
    carol is in no team. `admin` comes first, as the first account becomes a system admin."""
    alice, bob, carol = make_account("alice"), make_account("bob"), make_account("carol")
    alice_actor = Actor(alice.id, "system_user")
    team = hub.teams.create(alice_actor, {"name": "dev", "display_name": "Dev"})
    private = hub.channels.create(
        alice_actor, {"team_id": team.id, "name": "secret", "display_name": "S", "type": "P"}
    )
    unjoined = hub.channels.create(alice_actor, {"team_id": team.id, "name": "random", "display_name": "R"})
    with hub.store.write() as s:
        hub.teams.add_member(s, team, bob.id)
        channels = s.scalars(select(models.Channel).where(models.Channel.team_id == team.id))
        defaults = {c.name: c.id for c in channels}
    return World(
        alice, bob, carol, team.id, defaults["town-square"], defaults["off-topic"], private.id, unjoined.id
    )


@pytest.fixture
def say(api):
    """Posts through POST /api/v4/posts and answers the post's id."""

    def say(channel_id: str, author: Account, message: str) -> str:
        response = api.as_(author).post("posts", {"channel_id": channel_id, "message": message})
        assert response.status_code == 201, response.get_data(as_text=True)
        created = response.get_json()
        # One post per millisecond, so that newest-first order is the order of creation.
        while now_ms() <= created["create_at"]:
            time.sleep(0.001)
        return created["id"]

    return say


@pytest.fixture
def search(api, world):
    def search(caller: Account, terms, **options):
        return api.as_(caller).post(f"teams/{world.team_id}/posts/search", {"terms": terms, **options})

    return search


@pytest.fixture
def found(search):
    """The ids a search answers, newest first."""

    def found(caller: Account, terms: str, **options) -> list[str]:
        response = search(caller, terms, **options)
        assert response.status_code == 200, response.get_data(as_text=True)
        return response.get_json()["order"]

    return found


def change_post(hub, post_id: str, **fields) -> None:
    """What the API does not let a client do: date a post, or give it a system type."""
    with hub.store.write() as s:
        post = s.get(models.Post, post_id)
        for name, value in fields.items():
            setattr(post, name, value)


def test_answer_is_a_full_post_list_newest_first(api, world, say, search):
    older = say(world.town_square, world.alice, "deployment started")
    newer = say(world.off_topic, world.bob, "deployment finished")
    say(world.town_square, world.alice, "unrelated chatter")
    reaction = {"user_id": world.bob.id, "post_id": older, "emoji_name": "tada"}
    assert api.as_(world.bob).post("reactions", reaction).status_code in (200, 201)
    response = search(world.bob, "deployment")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json"
    # Each post is the same JSON as GET /posts/{id} answers, reactions included.
    expected_posts = {
        post_id: api.as_(world.bob).get(f"posts/{post_id}").get_json() for post_id in (older, newer)
    }
    assert expected_posts[older]["metadata"]["reactions"][0]["emoji_name"] == "tada"
    assert response.get_json() == {
        "order": [newer, older],
        "posts": expected_posts,
        "next_post_id": "",
        "prev_post_id": "",
        "has_next": False,
        "first_inaccessible_post_time": 0,
        "matches": None,
    }


def test_words_are_anded_unless_or_search(world, say, found):
    one = say(world.town_square, world.alice, "pipeline broken")
    both = say(world.town_square, world.alice, "Pipeline deployment works")
    assert found(world.alice, "deployment pipeline") == [both]
    assert found(world.alice, "deployment pipeline", is_or_search=True) == [both, one]
    assert found(world.alice, "DEPLOYMENT") == [both]


def test_quoted_phrase_needs_the_words_in_order(world, say, found):
    say(world.town_square, world.alice, "notes about the release")
    phrase = say(world.town_square, world.alice, "the release notes are ready")
    assert found(world.alice, '"release notes"') == [phrase]
    assert found(world.alice, 'ready "release notes"') == [phrase]


def test_excluded_words_and_phrases(world, say, found):
    production = say(world.town_square, world.alice, "deployment to production server")
    staging = say(world.town_square, world.alice, "deployment to staging server")
    assert found(world.alice, "deployment -staging") == [production]
    assert found(world.alice, 'deployment -"production server"') == [staging]
    assert found(world.alice, "-staging from:alice") == [production]


def test_prefix_search(world, say, found):
    kubectl = say(world.town_square, world.alice, "kubectl cheat sheet")
    kubernetes = say(world.town_square, world.alice, "kubernetes cluster upgraded")
    assert found(world.alice, "kubern*") == [kubernetes]
    assert found(world.alice, "kube*") == [kubernetes, kubectl]
    assert found(world.alice, "kube") == []


def test_stopwords_and_short_words_do_not_empty_the_search(world, say, found):
    # MySQL cannot index "the" or "go"; the search still finds the post by its longer word.
    post = say(world.town_square, world.alice, "go ship the deployment")
    assert found(world.alice, "go the deployment") == [post]


def test_hashtags_match_the_hashtags_column_case_insensitively(world, say, found):
    say(world.town_square, world.alice, "urgently, not a tag: #urgently")
    ops = say(world.town_square, world.alice, "ops only #ops")
    urgent = say(world.town_square, world.alice, "see #Urgent now #ops")
    assert found(world.alice, "#urgent") == [urgent]
    assert found(world.alice, "#OPS") == [urgent, ops]
    assert found(world.alice, "#ops -#urgent") == [ops]
    assert found(world.alice, "#ops #urgent") == [urgent]
    assert found(world.alice, "#ops #urgent", is_or_search=True) == [urgent, ops]


def test_hashtag_with_like_wildcards_is_literal(world, say, found):
    say(world.town_square, world.alice, "tagged #axb")
    exact = say(world.town_square, world.alice, "tagged #a_b")
    assert found(world.alice, "#a_b") == [exact]


def test_text_and_hashtags_are_merged_like_mattermost(world, say, found):
    tagged = say(world.town_square, world.alice, "something #incident")
    text = say(world.town_square, world.alice, "rollback planned")
    assert found(world.alice, "rollback #incident") == [text, tagged]


def test_from_flags(world, say, found):
    by_bob = say(world.town_square, world.bob, "status update")
    by_alice = say(world.town_square, world.alice, "status report")
    assert found(world.bob, "status from:alice") == [by_alice]
    assert found(world.bob, "status -from:alice") == [by_bob]
    assert found(world.bob, "status from:alice from:@BOB") == [by_alice, by_bob]
    assert found(world.bob, "from:bob") == [by_bob]
    assert found(world.bob, "from: alice") == [by_alice]
    assert found(world.bob, "from:nobody") == []


def test_from_a_user_outside_the_team_finds_nothing_like_mattermost(api, world, say, found):
    direct = api.as_(world.bob).post("channels/direct", [world.bob.id, world.carol.id]).get_json()["id"]
    say(direct, world.carol, "hello from outside")
    assert found(world.bob, "hello") != []
    assert found(world.bob, "hello from:carol") == []


def test_in_flags_and_direct_and_group_messages(api, world, say, found):
    direct = api.as_(world.bob).post("channels/direct", [world.bob.id, world.alice.id]).get_json()["id"]
    group = api.as_(world.bob).post("channels/group", [world.alice.id, world.carol.id]).get_json()["id"]
    in_group = say(group, world.carol, "meeting with everyone")
    in_direct = say(direct, world.alice, "meeting privately")
    topic = say(world.off_topic, world.alice, "meeting snacks")
    square = say(world.town_square, world.alice, "meeting notes")
    everywhere = [square, topic, in_direct, in_group]
    assert found(world.bob, "meeting") == everywhere
    assert found(world.bob, "meeting in:town-square") == [square]
    assert found(world.bob, "meeting in:~off-topic channel:town-square") == [square, topic]
    assert found(world.bob, "meeting -in:town-square") == [topic, in_direct, in_group]
    assert found(world.bob, "meeting in:@alice") == [in_direct]
    assert found(world.bob, "meeting in:@alice,carol") == [in_group]
    assert found(world.bob, "in:off-topic") == [topic]
    assert found(world.bob, "meeting in:no-such-channel") == []
    assert found(world.bob, "meeting in:@nobody") == []
    assert found(world.bob, "meeting -in:no-such-channel") == everywhere


def test_in_a_direct_channel_that_does_not_exist_creates_nothing(hub, world, found):
    assert found(world.bob, "meeting in:@carol") == []
    with hub.store.read() as s:
        assert s.scalar(select(models.Channel).where(models.Channel.type == "D")) is None


def test_date_flags_with_time_zone(hub, world, say, found):
    earlier = say(world.town_square, world.alice, "nightly build")
    morning = say(world.town_square, world.alice, "nightly build")
    late_utc = say(world.town_square, world.alice, "nightly build")
    change_post(hub, earlier, create_at=ms("2026-03-01T08:00:00"))
    change_post(hub, morning, create_at=ms("2026-03-04T08:00:00"))
    change_post(hub, late_utc, create_at=ms("2026-03-04T23:30:00"))
    assert found(world.alice, "nightly on:2026-03-04") == [late_utc, morning]
    # At UTC+2 the 23:30 UTC post belongs to the 5th.
    assert found(world.alice, "nightly on:2026-03-04", time_zone_offset=7200) == [morning]
    assert found(world.alice, "nightly after:2026-03-04", time_zone_offset=7200) == [late_utc]
    assert found(world.alice, "nightly before:2026-03-04") == [earlier]
    assert found(world.alice, "nightly after:2026-03-01 before:2026-03-05") == [late_utc, morning]
    assert found(world.alice, "nightly -on:2026-03-04") == [earlier]
    assert found(world.alice, "after:2026-3-3 before:2026-03-06") == [late_utc, morning]


def test_only_the_callers_channels_are_searched(world, admin, say, found):
    say(world.private, world.alice, "confidential roadmap")
    say(world.public_unjoined, world.alice, "confidential snacks")
    visible = say(world.town_square, world.alice, "confidential nothing")
    assert found(world.bob, "confidential") == [visible]
    assert found(world.bob, "confidential in:secret") == []
    assert found(world.bob, "in:secret") == []
    assert found(world.bob, "from:alice") == [visible]
    assert len(found(world.alice, "confidential")) == 3
    # A system admin may search any team, but only finds the channels they are in.
    assert found(admin, "confidential") == []


def test_other_teams_channels_are_not_searched(hub, world, say, found):
    other = hub.teams.create(Actor(world.alice.id, "system_user"), {"name": "ops", "display_name": "Ops"})
    with hub.store.read() as s:
        other_square = s.scalar(
            select(models.Channel.id).where(
                models.Channel.team_id == other.id, models.Channel.name == "town-square"
            )
        )
    say(other_square, world.alice, "elsewhere entirely")
    assert found(world.alice, "elsewhere") == []


def test_deleted_and_system_posts_and_archived_channels(hub, api, world, say, found):
    deleted = say(world.town_square, world.alice, "obsolete message")
    assert api.as_(world.alice).delete(f"posts/{deleted}").status_code == 200
    change_post(hub, say(world.town_square, world.alice, "obsolete joined"), type="system_join_channel")
    archived = say(world.off_topic, world.alice, "obsolete archive")
    with hub.store.write() as s:
        s.get(models.Channel, world.off_topic).delete_at = now_ms()
    assert found(world.alice, "obsolete") == []
    assert found(world.alice, "obsolete", include_deleted_channels=True) == [archived]


def test_index_follows_edits_and_removals(hub, api, world, say, found):
    post_id = say(world.town_square, world.alice, "original wording")
    edited = api.as_(world.alice).put(f"posts/{post_id}/patch", {"message": "revised phrasing"})
    assert edited.status_code == 200
    assert found(world.alice, "original") == []
    assert found(world.alice, "revised") == [post_id]
    with hub.store.write() as s:
        s.delete(s.get(models.Post, post_id))
    assert found(world.alice, "revised") == []


def test_paging(world, say, search, found):
    ids = [say(world.town_square, world.alice, f"paged entry {n}") for n in range(5)][::-1]
    first = search(world.alice, "paged", per_page=2).get_json()
    assert (first["order"], first["has_next"]) == (ids[:2], True)
    last = search(world.alice, "paged", page=2, per_page=2).get_json()
    assert (last["order"], last["has_next"]) == (ids[4:], False)
    assert found(world.alice, "paged", page=3, per_page=2) == []
    assert found(world.alice, "paged", per_page=0) == []


HOSTILE_TERMS = [
    '"',
    '""',
    '"""',
    "'",
    "*",
    "**",
    "-",
    "--",
    "-*",
    "(",
    ")",
    "NEAR(a b)",
    "a OR",
    "AND",
    "NOT x",
    "x NOT",
    "^x",
    "col:x",
    "+",
    "+x",
    "~x",
    "<x",
    ">x",
    "@x",
    "a:*",
    "x:* | y",
    "!x",
    "&",
    "|",
    "\\",
    "%",
    "_",
    "' OR 1=1 --",
    '"a" * "b"',
    "deployment)",
    "(deployment",
    'deployment"',
    "ü*",
    "日本語",
    "#",
    "##",
    "#*",
    "-#",
    "in:",
    "from:",
    "-from:",
    "on:",
    "x" * 5000,
    "a" * 300 + "*",
]


def test_hostile_terms_never_break_the_query(world, say, search):
    say(world.town_square, world.alice, "deployment and NEAR things OR other AND col x y")
    for terms in HOSTILE_TERMS:
        response = search(world.alice, terms)
        assert response.status_code == 200, (terms, response.get_data(as_text=True))
        assert set(response.get_json()) >= {"order", "posts"}


def test_nothing_searchable_answers_an_empty_list(world, found):
    assert found(world.alice, "!!! ---") == []


def test_empty_terms_are_400(api, world):
    for body in ({"terms": ""}, {"terms": "   "}, {}, {"terms": None}):
        response = api.as_(world.alice).post(f"teams/{world.team_id}/posts/search", body)
        assert_app_error(response, 400, "api.context.invalid_param.app_error")


def test_bad_dates_are_400(world, search):
    response = search(world.alice, "x on:2026-02-30")
    body = assert_app_error(response, 400, "api.post.search_posts.invalid_date.app_error")
    assert body["detailed_error"] == "on:2026-02-30"


def test_wrong_types_are_400(api, world):
    wrong = [
        ("terms", 5),
        ("terms", ["x"]),
        ("is_or_search", "yes"),
        ("time_zone_offset", "0"),
        ("time_zone_offset", True),
        ("include_deleted_channels", 1),
        ("page", "1"),
        ("per_page", 2.5),
    ]
    for field, value in wrong:
        body = {"terms": "x", field: value}
        response = api.as_(world.alice).post(f"teams/{world.team_id}/posts/search", body)
        assert_app_error(response, 400, "api.post.search_posts.invalid_body.app_error")


def test_out_of_range_numbers_are_400(world, search):
    for options in ({"page": -1}, {"per_page": -5}, {"page": 10**15}, {"time_zone_offset": 10**16}):
        response = search(world.alice, "x on:2026-01-01", **options)
        assert_app_error(response, 400, "api.context.invalid_param.app_error")
    # Past int64 no number is a number at all: the JSON reader refuses the body.
    response = search(world.alice, "x on:2026-01-01", page=10**30)
    assert_app_error(response, 400, "api.context.invalid_body_param.app_error")
    assert search(world.alice, "x on:2026-01-01", time_zone_offset=-14 * 3600).status_code == 200


def test_too_many_terms_are_400_not_a_database_error(world, search):
    terms = " ".join(f"#tag{n}" for n in range(3000))
    assert_app_error(search(world.alice, terms), 400, "api.post.search_posts.too_many_terms.app_error")


def test_bad_requests(api, world):
    as_alice = api.as_(world.alice)
    headers = {"Content-Type": "application/json"}
    path = f"teams/{world.team_id}/posts/search"
    assert_app_error(as_alice.request("POST", path, data="{no", headers=headers), 400)
    assert_app_error(as_alice.post(path, ["terms"]), 400)
    response = as_alice.post("teams/not-an-id/posts/search", {"terms": "x"})
    assert_app_error(response, 400, "api.context.invalid_param.app_error")
    response = as_alice.post(f"teams/{new_id()}/posts/search", {"terms": "x"})
    assert_app_error(response, 404, "app.team.get.find.app_error")
    assert_app_error(api.post(f"teams/{world.team_id}/posts/search", {"terms": "x"}), 401)


def test_non_members_of_the_team_are_403(world, search):
    assert_app_error(search(world.carol, "deployment"), 403, "api.context.permissions.app_error")


def _migration_0002():
    path = MIGRATIONS_DIR / "versions" / "0002_post_search.py"
    spec = importlib.util.spec_from_file_location("migration_0002", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_SQLITE_OBJECTS = {"posts_fts", "posts_fts_insert", "posts_fts_update", "posts_fts_delete"}


def _search_objects(connection) -> set[str]:
    if connection.dialect.name == "sqlite":
        names = connection.execute(text("SELECT name FROM sqlite_master WHERE name LIKE 'posts_fts%'"))
        return set(names.scalars()) & _SQLITE_OBJECTS
    return {index["name"] for index in inspect(connection).get_indexes("posts")} & {"ix_posts_message_fts"}


def test_migration_downgrade_drops_and_upgrade_restores_the_index(hub, world, say, found):
    post_id = say(world.town_square, world.alice, "survives reindexing")
    migration = _migration_0002()
    expected = _SQLITE_OBJECTS if hub.store.dialect == "sqlite" else {"ix_posts_message_fts"}
    with hub.store.engine.begin() as connection:
        assert _search_objects(connection) == expected
        with Operations.context(MigrationContext.configure(connection)):
            migration.downgrade()
            assert _search_objects(connection) == set()
            migration.upgrade()
        assert _search_objects(connection) == expected
    # Posts written before the index existed are found once it is back.
    assert found(world.alice, "reindexing") == [post_id]
