"""Security review, issue 9: outgoing webhooks and slash commands sign with a secret of their own that
never travels, not with the token every request carries (finding 12); a command's response_url answers
404 when it is unknown or expired (16b) and counts its uses atomically (16c)."""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

from alembic import command as alembic
from alembic.config import Config as AlembicConfig
from sqlalchemy import event, inspect, select

from hub import models, signing
from hub.cli.lookups import LOCAL_ACTOR
from hub.ids import new_id
from hub.store import MIGRATIONS_DIR
from tests.fixtures import PASSWORD, assert_app_error
from tests.receiver import Answer
from webhooks import outgoing
from webhooks.commands.service import RESPONSE_URL_LIFETIME_MS, RESPONSE_URL_MAX_USES
from webhooks.outgoing.test_deliveries import send_due

HEX_DIGITS = set("0123456789abcdef")


def is_signing_secret(value) -> bool:
    return isinstance(value, str) and len(value) == 64 and set(value) <= HEX_DIGITS


def make_hook(api, room, receiver) -> dict:
    body = {
        "team_id": room.team_id,
        "channel_id": room.channel_id,
        "trigger_words": ["deploy"],
        "callback_urls": [receiver.url("/hook")],
    }
    response = api.as_(room.owner).post("hooks/outgoing", body)
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.get_json()


def make_command(api, room, receiver) -> dict:
    body = {"team_id": room.team_id, "trigger": "deploy", "url": receiver.url("/deploy"), "method": "P"}
    response = api.as_(room.owner).post("commands", body)
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.get_json()


def deliver_a_post(api, hub, room, receiver):
    made = api.as_(room.member).post("posts", {"channel_id": room.channel_id, "message": "deploy now"})
    assert made.status_code == 201, made.get_data(as_text=True)
    send_due(hub)
    return receiver.next()


def assert_signed_only_with(secret: str, request, token: str) -> None:
    assert signing.verify(secret, request.headers, request.body)
    # The token travels in the body, so a signature it keyed would be forgeable by anyone who saw it.
    assert not signing.verify(token, request.headers, request.body)
    assert secret not in request.body.decode() and secret not in json.dumps(request.headers)


# ---- 12: outgoing webhooks ---------------------------------------------------------------------
def test_an_outgoing_hook_signs_with_its_own_secret_shown_only_on_create(api, hub, room, receiver):
    hook = make_hook(api, room, receiver)
    secret = hook["signing_secret"]
    assert is_signing_secret(secret) and secret != hook["token"]
    owner = api.as_(room.owner)
    path = f"hooks/outgoing/{hook['id']}"
    shown = [
        owner.get(path).get_json(),
        *owner.get(f"hooks/outgoing?team_id={room.team_id}").get_json(),
        owner.put(path, {"id": hook["id"], "display_name": "Deployer"}).get_json(),
        owner.post(f"{path}/regen_token").get_json(),
    ]
    assert all("signing_secret" not in answer and secret not in json.dumps(answer) for answer in shown)
    token = shown[-1]["token"]

    request = deliver_a_post(api, hub, room, receiver)
    assert request.form["token"] == token
    assert_signed_only_with(secret, request, token)
    assert secret not in json.dumps(owner.get(f"{path}/deliveries").get_json())


def test_regenerating_an_outgoing_hooks_signing_secret(api, hub, room, admin, receiver):
    hook = make_hook(api, room, receiver)
    path = f"hooks/outgoing/{hook['id']}/regen_signing_secret"
    assert_app_error(api.as_(None).post(path), 401)
    for stranger in (room.member, room.outsider):
        assert_app_error(api.as_(stranger).post(path), 403)
    assert_app_error(api.as_(room.owner).post(f"hooks/outgoing/{new_id()}/regen_signing_secret"), 404)
    assert_app_error(api.as_(room.owner).post("hooks/outgoing/nope/regen_signing_secret"), 400)

    regenerated = api.as_(room.owner).post(path).get_json()
    new_secret = regenerated.pop("signing_secret")
    assert is_signing_secret(new_secret) and new_secret != hook["signing_secret"]
    assert regenerated["token"] == hook["token"]
    assert regenerated == api.as_(room.owner).get(f"hooks/outgoing/{hook['id']}").get_json()
    by_admin = api.as_(admin).post(path).get_json()["signing_secret"]
    assert by_admin not in (hook["signing_secret"], new_secret)

    request = deliver_a_post(api, hub, room, receiver)
    assert signing.verify(by_admin, request.headers, request.body)
    assert not signing.verify(new_secret, request.headers, request.body)
    assert not signing.verify(hook["signing_secret"], request.headers, request.body)


# ---- 12: slash commands ------------------------------------------------------------------------
def test_a_command_signs_with_its_own_secret_shown_only_on_create(api, room, receiver):
    command = make_command(api, room, receiver)
    secret = command["signing_secret"]
    assert is_signing_secret(secret) and secret != command["token"]
    owner = api.as_(room.owner)
    path = f"commands/{command['id']}"
    shown = [
        owner.get(path).get_json(),
        owner.get(f"commands?team_id={room.team_id}&custom_only=true").get_json(),
        api.as_(room.member).get(f"commands?team_id={room.team_id}").get_json(),
        api.as_(room.member).get(f"teams/{room.team_id}/commands/autocomplete").get_json(),
        owner.put(path, {"id": command["id"], "description": "ships"}).get_json(),
        owner.put(f"{path}/regen_token").get_json(),
    ]
    for answer in shown:
        assert "signing_secret" not in json.dumps(answer) and secret not in json.dumps(answer)
    token = shown[-1]["token"]

    receiver.answer = Answer.text("")
    run_it = {"channel_id": room.channel_id, "command": "/deploy"}
    executed = api.as_(room.member).post("commands/execute", run_it)
    assert executed.status_code == 200, executed.get_data(as_text=True)
    request = receiver.next()
    # Mattermost's token still travels, in the body and the Authorization header, for compatibility.
    assert (request.form["token"], request.headers["Authorization"]) == (token, f"Token {token}")
    assert_signed_only_with(secret, request, token)


def test_regenerating_a_commands_signing_secret(api, room, admin, receiver):
    command = make_command(api, room, receiver)
    path = f"commands/{command['id']}/regen_signing_secret"
    assert_app_error(api.as_(None).post(path), 401)
    for stranger in (room.member, room.outsider):
        assert_app_error(api.as_(stranger).post(path), 403)
    assert_app_error(api.as_(room.owner).post(f"commands/{new_id()}/regen_signing_secret"), 404)

    regenerated = api.as_(room.owner).post(path)
    assert regenerated.status_code == 200, regenerated.get_data(as_text=True)
    new_secret = regenerated.get_json()["signing_secret"]
    assert is_signing_secret(new_secret) and new_secret != command["signing_secret"]
    assert api.as_(room.owner).get(f"commands/{command['id']}").get_json()["token"] == command["token"]
    by_admin = api.as_(admin).post(path).get_json()["signing_secret"]
    assert by_admin not in (command["signing_secret"], new_secret)

    receiver.answer = Answer.text("")
    api.as_(room.member).post("commands/execute", {"channel_id": room.channel_id, "command": "/deploy"})
    request = receiver.next()
    assert signing.verify(by_admin, request.headers, request.body)
    assert not signing.verify(new_secret, request.headers, request.body)


def test_the_receivers_check_refuses_any_other_signature_without_failing():
    body = b"token=abc&text=deploy"
    headers = signing.signed_headers("the signing secret", body)
    assert signing.verify("the signing secret", headers, body)
    assert not signing.verify("the signing secret", headers, body + b"&x=1")
    assert not signing.verify("abc", headers, body)
    for forged in ("v0=é", "v0=\udcff", ""):
        assert not signing.verify("the signing secret", {**headers, signing.SIGNATURE_HEADER: forged}, body)
    old = signing.signed_headers("the signing secret", body, now=time.time() - 301)
    assert not signing.verify("the signing secret", old, body)


# ---- 12: the command line ----------------------------------------------------------------------
def test_the_cli_prints_the_signing_secret_when_it_is_made_only(db_config, run, hub):
    run("user", "create", "--email", "carol@example.com", "--username", "carol", "--password", PASSWORD)
    run("team", "create", "--name", "crew", "--display-name", "Crew")
    run("team", "add-user", "crew", "carol")
    created = run(
        "webhook", "create-outgoing", "--team", "crew", "--user", "carol",
        "--url", "https://ci.example.com/hook", "--trigger-word", "deploy",
    )  # fmt: skip
    assert created.code == 0, created.err
    hook_id = created.out.splitlines()[0].split()[3]
    hook = outgoing.service(hub).get(LOCAL_ACTOR, hook_id)
    assert created.out.splitlines()[-1] == hook.signing_secret and is_signing_secret(hook.signing_secret)

    for action in (("show", hook_id), ("list",), ("regen-token", hook_id)):
        shown = run("webhook", *action)
        assert shown.code == 0 and hook.signing_secret not in shown.out and "signing_secret" not in shown.out

    regenerated = run("webhook", "regen-signing-secret", hook_id)
    assert regenerated.code == 0, regenerated.err
    new_secret = outgoing.service(hub).get(LOCAL_ACTOR, hook_id).signing_secret
    assert regenerated.out.splitlines()[-1] == new_secret != hook.signing_secret
    assert run("webhook", "regen-signing-secret", new_id()).code == 1


# ---- 12: the migration -------------------------------------------------------------------------
def migrate(store, action, revision: str) -> None:
    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    with store.engine.begin() as connection:
        config.attributes["connection"] = connection
        action(config, revision)


def stored_secrets(hub) -> dict[str, str]:
    with hub.store.read() as s:
        hooks = s.execute(select(models.OutgoingWebhook.id, models.OutgoingWebhook.signing_secret)).all()
        commands = s.execute(select(models.Command.id, models.Command.signing_secret)).all()
    return dict(hooks) | dict(commands)


def test_the_migration_gives_every_existing_integration_a_fresh_secret_of_its_own(api, hub, room, receiver):
    owner = api.as_(room.owner)
    for word in ("deploy", "ship"):
        hook = {"team_id": room.team_id, "trigger_words": [word], "callback_urls": [receiver.url()]}
        assert owner.post("hooks/outgoing", hook).status_code == 201
        command = {"team_id": room.team_id, "trigger": word, "url": receiver.url()}
        assert owner.post("commands", command).status_code == 201
    before = stored_secrets(hub)
    assert len(before) == 4
    try:
        migrate(hub.store, alembic.downgrade, "0008")
        with hub.store.engine.connect() as connection:
            for table in ("outgoing_webhooks", "commands"):
                assert "signing_secret" not in {c["name"] for c in inspect(connection).get_columns(table)}
    finally:
        migrate(hub.store, alembic.upgrade, "head")
    after = stored_secrets(hub)
    assert after.keys() == before.keys()
    assert all(is_signing_secret(secret) for secret in after.values())
    assert len(set(after.values())) == 4 and not set(after.values()) & set(before.values())
    with hub.store.engine.connect() as connection:
        for table in ("outgoing_webhooks", "commands"):
            column = next(c for c in inspect(connection).get_columns(table) if c["name"] == "signing_secret")
            assert column["nullable"] is False


# ---- 16b, 16c: response_url --------------------------------------------------------------------
def open_response_url(api, room, receiver) -> str:
    """Runs the command once and answers the path of the response_url it was given."""
    make_command(api, room, receiver)
    receiver.answer = Answer.text("")
    api.as_(room.member).post("commands/execute", {"channel_id": room.channel_id, "command": "/deploy"})
    response_url = receiver.next().form["response_url"]
    return "/" + response_url.split("://", 1)[1].split("/", 1)[1]


def test_an_unknown_or_expired_response_url_is_not_found(api, hub, room, receiver):
    path = open_response_url(api, room, receiver)
    body = json.dumps({"text": "late"})
    headers = {"Content-Type": "application/json"}
    for unknown in (f"/hooks/commands/{new_id()}", "/hooks/commands/nope"):
        answer = api.as_(None).request("POST", unknown, data=body, headers=headers)
        assert_app_error(answer, 404, "app.command_webhook.get.missing")
    assert api.as_(None).request("POST", path, data=body, headers=headers).status_code == 200
    with hub.store.write() as s:
        hook = s.get(models.CommandWebhook, path.rsplit("/", 1)[1])
        hook.create_at -= RESPONSE_URL_LIFETIME_MS + 1000
    expired = api.as_(None).request("POST", path, data=body, headers=headers)
    assert_app_error(expired, 404, "app.command_webhook.get.missing")


def test_concurrent_answers_never_use_a_response_url_past_its_limit(api, hub, room, receiver, live_server):
    path = open_response_url(api, room, receiver)
    answers = 3 * RESPONSE_URL_MAX_USES
    start = threading.Barrier(answers)

    def widen_the_race(_conn, _cursor, statement, *_args) -> None:
        # Reading the use count and writing it back is where concurrent answers interleave: holding each
        # reader here makes them all overlap, as they can on a busy server.
        if statement.lstrip().upper().startswith("SELECT") and "command_webhooks" in statement:
            time.sleep(0.2)

    def answer(number: int) -> int:
        body = json.dumps({"response_type": "in_channel", "text": f"answer {number}"}).encode()
        request = urllib.request.Request(
            live_server.url + path, data=body, headers={"Content-Type": "application/json"}, method="POST"
        )
        start.wait()
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code

    event.listen(hub.store.engine, "after_cursor_execute", widen_the_race)
    try:
        with ThreadPoolExecutor(answers) as pool:
            statuses = list(pool.map(answer, range(answers)))
    finally:
        event.remove(hub.store.engine, "after_cursor_execute", widen_the_race)
    assert sorted(statuses) == [200] * RESPONSE_URL_MAX_USES + [400] * (answers - RESPONSE_URL_MAX_USES)
    with hub.store.read() as s:
        assert s.get(models.CommandWebhook, path.rsplit("/", 1)[1]).use_count == RESPONSE_URL_MAX_USES
        posted = s.scalars(select(models.Post.message).where(models.Post.channel_id == room.channel_id)).all()
    assert len([message for message in posted if message.startswith("answer ")]) == RESPONSE_URL_MAX_USES
