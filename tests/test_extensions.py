"""The core's extension points, each driven by a small extension made here: post hooks, command
providers, delivery kinds, worker jobs, and the registry that holds an extension's service."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from hub import models, signing
from hub.errors import AppError
from hub.extensions import (
    IN_CHANNEL,
    CommandCall,
    CommandResponse,
    Extensions,
    PostHook,
    ephemeral,
)
from hub.worker import start_jobs, supervise
from tests.fixtures import assert_app_error
from tests.receiver import Answer

pytestmark = pytest.mark.databases("sqlite")


class StampingHook(PostHook):
    """Stamps new and edited posts, refuses a forbidden word, and records what was posted."""

    def __init__(self) -> None:
        self.posted: list[tuple[str, str]] = []

    def will_be_posted(self, s, post_id: str, props: dict[str, Any]) -> dict[str, Any]:
        return {**props, "stamped": "new"}

    def will_be_updated(
        self, s, post_id: str, props: dict[str, Any], *, by_integration: bool
    ) -> dict[str, Any]:
        return {**props, "stamped": "edited"}

    def has_been_posted(self, s, channel: models.Channel, post: models.Post) -> None:
        if "forbidden" in post.message:
            raise AppError("test.hook.refused", "This message is refused.", 400, "the hook refused it")
        self.posted.append((channel.id, post.message))


class Stamping:
    name = "stamping"

    def __init__(self) -> None:
        self.hook = StampingHook()

    def install(self, hub) -> None:
        hub.extensions.post_hooks.append(self.hook)
        hub.extensions.add_service(self.name, self.hook)


def test_post_hooks_rewrite_props_record_posts_and_refuse_with_nothing_written(hub, api, room):
    stamping = Stamping()
    stamping.install(hub)
    member = api.as_(room.member)
    made = member.post("posts", json={"channel_id": room.channel_id, "message": "hello"})
    assert made.status_code == 201
    assert made.get_json()["props"]["stamped"] == "new"
    assert stamping.hook.posted == [(room.channel_id, "hello")]

    edited = member.put(f"posts/{made.get_json()['id']}/patch", json={"props": {"x": "1"}})
    assert edited.get_json()["props"] == {"x": "1", "stamped": "edited"}

    refused = member.post("posts", json={"channel_id": room.channel_id, "message": "a forbidden word"})
    assert_app_error(refused, 400, "test.hook.refused")
    listed = member.get(f"channels/{room.channel_id}/posts").get_json()
    assert [p["message"] for p in listed["posts"].values()] == ["hello"]
    assert hub.extensions.service("stamping", StampingHook) is stamping.hook


class Roll:
    trigger = "roll"
    display_name = "Roll"
    auto_complete_desc = "Rolls a die"
    auto_complete_hint = "[sides]"

    def execute(self, hub, call: CommandCall) -> CommandResponse:
        if not call.text.isdigit():
            return ephemeral("Usage: /roll [sides]")
        return CommandResponse(IN_CHANNEL, f"rolled a {call.text}-sided die: 1")


class Dice:
    def commands(self, team_id: str):
        return {"roll": Roll()}


def test_a_command_provider_answers_lists_and_is_shadowed_by_a_custom_command(hub, api, room, receiver):
    hub.extensions.command_providers.append(Dice())
    member = api.as_(room.member)
    answer = member.post("commands/execute", json={"channel_id": room.channel_id, "command": "/roll 6"})
    assert answer.status_code == 200, answer.get_data(as_text=True)
    posts = member.get(f"channels/{room.channel_id}/posts").get_json()["posts"].values()
    assert [p["message"] for p in posts] == ["rolled a 6-sided die: 1"]
    usage = member.post("commands/execute", json={"channel_id": room.channel_id, "command": "/roll x"})
    assert usage.get_json()["text"] == "Usage: /roll [sides]"

    offered = member.get(f"teams/{room.team_id}/commands/autocomplete").get_json()
    assert {"trigger": "roll", "auto_complete_hint": "[sides]"}.items() <= next(
        c for c in offered if c["trigger"] == "roll"
    ).items()

    receiver.answer = Answer.json({"response_type": "ephemeral", "text": "the team's own roll"})
    owner = api.as_(room.owner)
    custom = {"team_id": room.team_id, "trigger": "roll", "url": receiver.url("/roll"), "method": "P"}
    assert owner.post("commands", json=custom).status_code == 201
    shadowed = member.post("commands/execute", json={"channel_id": room.channel_id, "command": "/roll 6"})
    assert shadowed.get_json()["text"] == "the team's own roll"


class Echoes:
    """A delivery kind whose deliveries are signed with a fixed secret and whose answers are kept."""

    name = "echoes"

    def __init__(self) -> None:
        self.answers: list[bytes] = []
        self.outcomes: list[bool] = []

    def signing_secret(self, s, delivery) -> str | None:
        return None if delivery.source_id == "gone" else "s3cret"

    def answered(self, hub, delivery, response) -> None:
        self.answers.append(response.body)

    def record_outcome(self, hub, s, delivery, succeeded: bool) -> None:
        self.outcomes.append(succeeded)


def _send_due(hub) -> None:
    with ThreadPoolExecutor(2) as pool:
        while hub.deliveries.run_due(pool):
            pass


def test_a_delivery_kind_is_sent_signed_and_told_its_answer_and_outcome(hub, receiver):
    echoes = Echoes()
    hub.extensions.add_delivery_kind(echoes)
    receiver.answer = Answer.json({"ok": True})
    with hub.store.write() as s:
        hub.deliveries.enqueue(
            s,
            "echoes",
            "source1",
            receiver.url("/echo"),
            content_type="application/json",
            body="{}",
            context={},
        )
        hub.deliveries.enqueue(
            s, "echoes", "gone", receiver.url("/echo"), content_type="application/json", body="{}", context={}
        )
    _send_due(hub)
    sent = receiver.requests.get(timeout=5)
    assert signing.verify("s3cret", sent.headers, sent.body)
    assert receiver.requests.empty()  # the delivery whose source is gone is cancelled, not sent
    assert echoes.answers == [b'{"ok": true}']
    assert echoes.outcomes == [True]
    with pytest.raises(ValueError):
        hub.extensions.add_delivery_kind(Echoes())


class Counting:
    name = "counting"

    def __init__(self, fail_times: int = 0) -> None:
        self.runs = 0
        self.fail_times = fail_times
        self.started = threading.Event()

    def run(self, hub, stop: threading.Event) -> None:
        self.runs += 1
        if self.runs <= self.fail_times:
            raise RuntimeError("a job's bad day")
        self.started.set()
        stop.wait()


def test_worker_jobs_run_together_and_a_failing_one_is_restarted_without_stopping_the_others(hub):
    steady, flaky = Counting(), Counting(fail_times=2)
    hub.extensions.worker_jobs[:] = [steady, flaky]
    stop = threading.Event()
    threads = start_jobs(hub, stop, start_thread, restart_seconds=0.01)
    assert steady.started.wait(5) and flaky.started.wait(5)
    assert (steady.runs, flaky.runs) == (1, 3)
    stop.set()
    for thread in threads:
        thread.join(5)
        assert not thread.is_alive()


def start_thread(run) -> threading.Thread:
    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def test_supervise_returns_when_stopped_between_restarts(hub):
    stop = threading.Event()
    broken = Counting(fail_times=10**6)
    runner = threading.Thread(target=supervise, args=(broken, hub, stop, 0.01), daemon=True)
    runner.start()
    while broken.runs < 3:
        stop.wait(0.01)
    stop.set()
    runner.join(5)
    assert not runner.is_alive()


def test_a_missing_extension_service_is_a_clear_501():
    with pytest.raises(AppError) as refused:
        Extensions().service("bridges", object)
    assert (refused.value.status_code, refused.value.id) == (501, "app.extension.not_installed.app_error")


def test_the_default_hub_installs_every_integration_and_the_delivery_job(hub):
    from webhooks import actions, commands, incoming, outgoing

    for extension in (actions, commands, incoming, outgoing):
        assert extension.service(hub) is not None
    assert [job.name for job in hub.extensions.worker_jobs] == ["deliveries"]
    assert set(hub.extensions.delivery_kinds) == {"outgoing_webhook"}
    assert "echo" in hub.extensions.provided_commands("any team")
