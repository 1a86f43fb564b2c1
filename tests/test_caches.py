"""The caches the post path reads (hub.caches): what a writer changes, every reader forgets, in this
process at once, in other processes through the bus or, on SQLite without one, through the database."""

from __future__ import annotations

import time

import pytest

from hub.caches import RowCache
from hub.errors import AppError
from hub.permissions import Actor
from tests.receiver import Answer
from webhooks import outgoing


def test_a_read_that_raced_a_write_is_not_kept():
    cache: RowCache[str, str] = RowCache(("users",))
    generation = cache.generation
    cache.forget([("users", "u1")])  # a writer committed while the reader was reading
    cache.put("u1", "old name", [("users", "u1")], generation)
    assert cache.get("u1") is None
    cache.put("u1", "new name", [("users", "u1")], cache.generation)
    assert cache.get("u1") == "new name"


def test_forgetting_a_row_drops_only_what_was_made_of_it():
    cache: RowCache[str, str] = RowCache(("sessions", "users"))
    cache.put("token-a", "a", [("sessions", "s1"), ("users", "u1")], cache.generation)
    cache.put("token-b", "b", [("sessions", "s2"), ("users", "u2")], cache.generation)
    cache.forget([("users", "u1"), ("posts", "p1")])
    assert (cache.get("token-a"), cache.get("token-b")) == (None, "b")
    cache.forget([("sessions", None)])
    assert cache.get("token-b") is None


def test_a_summarised_table_drops_every_entry_on_any_change():
    cache: RowCache[str, tuple[str, ...]] = RowCache(("hooks",), summarised=("hooks",))
    cache.put("team1", (), [], cache.generation)  # "no hooks", made of no row
    cache.forget([("hooks", "a-hook-of-another-team")])
    assert cache.get("team1") is None


def test_revoked_session_and_token_stop_working_at_once(hub, make_account):
    alice = make_account("alice")
    actor, _ = hub.auth.resolve(alice.token)  # cached now
    _, access_token = hub.auth.create_token(None, actor.user_id, "bot work")
    hub.auth.resolve(access_token)
    hub.auth.revoke_all_sessions(Actor(actor.user_id, "system_admin"), actor.user_id)
    with pytest.raises(AppError):
        hub.auth.resolve(alice.token)
    token_id = hub.auth.tokens_of(Actor("", "system_admin"), actor.user_id, 0, 10)[0].id
    hub.auth.revoke_token(Actor("", "system_admin"), token_id)
    with pytest.raises(AppError):
        hub.auth.resolve(access_token)


def test_a_role_change_reaches_the_next_request(hub, admin, make_account):
    bob = make_account("bob")
    assert not hub.auth.resolve(bob.token)[0].is_system_admin
    hub.users.update_roles(Actor("", "system_admin"), bob.id, "system_user system_admin")
    assert hub.auth.resolve(bob.token)[0].is_system_admin


@pytest.mark.databases("sqlite")
def test_on_sqlite_another_process_writing_without_a_bus_is_noticed(hub, hub_factory, make_account):
    """The command line beside `make run`: its own hub, no shared bus, the same database file."""
    carol = make_account("carol")
    hub.auth.resolve(carol.token)
    other_process = hub_factory()
    other_process.auth.revoke_all_sessions(Actor("", "system_admin"), carol.id)
    with pytest.raises(AppError):
        hub.auth.resolve(carol.token)


def test_without_a_shared_bus_only_sqlite_caches(hub):
    enabled = {cache.enabled for cache in hub.store.caches}
    assert enabled == {hub.store.dialect == "sqlite"}


@pytest.mark.databases("postgres")
def test_through_redis_another_process_s_change_is_forgotten(hub_factory, make_account):
    redis = {"CacheType": "redis", "RedisAddress": "127.0.0.1:6379"}
    web, cli = hub_factory(CacheSettings=redis), hub_factory(CacheSettings=redis)
    assert all(cache.enabled for cache in web.store.caches)
    user = web.users.create(
        None, {"username": "dora", "email": "dora@example.com", "password": "Passw0rd!long"}, trusted=True
    )
    _, token = web.auth.create_session_for(user.id)
    web.auth.resolve(token)
    cli.auth.revoke_all_sessions(Actor("", "system_admin"), user.id)
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        try:
            web.auth.resolve(token)
        except AppError:
            return
        time.sleep(0.02)
    pytest.fail("the web process kept a session another process revoked")


def test_a_hook_made_after_a_post_hears_the_next_post(hub, api, room, receiver):
    receiver.answer = Answer.json({})
    owner = api.as_(room.owner)
    assert owner.post("posts", json={"channel_id": room.channel_id, "message": "deploy"}).status_code == 201
    hook = {"team_id": room.team_id, "channel_id": room.channel_id, "callback_urls": [receiver.url("/h")]}
    assert owner.post("hooks/outgoing", json={**hook, "trigger_words": ["deploy"]}).status_code == 201
    assert owner.post("posts", json={"channel_id": room.channel_id, "message": "deploy"}).status_code == 201
    [made] = outgoing.service(hub).list(Actor("", "system_admin"), {})
    with hub.store.read() as s:
        assert len(hub.deliveries.log(s, made.id, 0, 10)) == 1


def test_the_core_statements_of_the_post_path_write_no_cached_table(hub):
    """Core statements bypass the store's change records; they may only write tables no cache reads."""
    from hub.services.posts import counters

    cached = {table for cache in hub.store.caches for table in cache.tables}
    written = {counters.channels.name, counters.members.name, counters.posts.name}
    assert cached and not cached & written
