"""Outgoing webhooks end to end: a post queues a durable delivery in its own transaction; the delivery
loop sends it to a real receiver, signed, retried with backoff, logged; the answer is posted back."""

from __future__ import annotations

import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import select

from hub import models, signing
from hub.ids import now_ms
from hub.worker import DeliveryLoop
from tests.fixtures import assert_app_error
from tests.receiver import Answer


@pytest.fixture
def hook(api, room, receiver) -> dict:
    body = {
        "team_id": room.team_id,
        "channel_id": room.channel_id,
        "trigger_words": ["deploy"],
        "callback_urls": [receiver.url("/hook")],
        "display_name": "Deployer",
    }
    response = api.as_(room.owner).post("hooks/outgoing", body)
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.get_json()


def post(api, account, channel_id: str, message: str, **fields) -> dict:
    response = api.as_(account).post("posts", {"channel_id": channel_id, "message": message, **fields})
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.get_json()


def deliveries(hub) -> list[models.Delivery]:
    with hub.store.read() as s:
        return list(
            s.scalars(select(models.Delivery).order_by(models.Delivery.create_at, models.Delivery.id))
        )


def send_due(hub, rounds: int = 20) -> None:
    """Runs the delivery loop's step until nothing is due (retries are due at once in these tests)."""
    with ThreadPoolExecutor(4) as pool:
        for _ in range(rounds):
            if not hub.deliveries.run_due(pool):
                return


def channel_posts(api, account, channel_id: str) -> list[dict]:
    body = api.as_(account).get(f"channels/{channel_id}/posts").get_json()
    return [body["posts"][i] for i in reversed(body["order"])]


def test_a_trigger_word_queues_a_signed_delivery_and_the_answer_is_posted(api, hub, room, hook, receiver):
    receiver.answer = Answer.json({"text": "deploy started <https://ci.example/1|#1>", "username": "ci"})
    made = post(api, room.member, room.channel_id, "deploy api now")
    queued = deliveries(hub)
    assert [(d.state, d.source_id, d.attempts) for d in queued] == [("pending", hook["id"], 0)]
    send_due(hub)
    request = receiver.next()
    form = request.form
    assert (form["token"], form["trigger_word"], form["text"], form["post_id"]) == (
        hook["token"],
        "deploy",
        "deploy api now",
        made["id"],
    )
    assert (form["channel_name"], form["team_domain"], form["user_name"]) == (
        "room",
        "crew",
        room.member.username,
    )
    assert form["timestamp"] == str(made["create_at"])
    assert request.headers["X-Hubbub-Delivery"] == queued[0].id
    assert request.headers["X-Hubbub-Attempt"] == "1"
    assert signing.verify(hook["signing_secret"], request.headers, request.body)
    assert not signing.verify(hook["token"], request.headers, request.body)
    answer = channel_posts(api, room.member, room.channel_id)[-1]
    assert (answer["user_id"], answer["message"]) == (
        room.owner.id,
        "deploy started [#1](https://ci.example/1)",
    )
    assert answer["props"]["from_webhook"] == "true" and answer["root_id"] == ""
    # The answer starts with the trigger word, yet triggers nothing: no loops.
    assert [d.state for d in deliveries(hub)] == ["delivered"]


def test_comment_answers_reply_in_the_thread_and_json_bodies(api, hub, room, hook, receiver):
    as_owner = api.as_(room.owner)
    as_owner.put(f"hooks/outgoing/{hook['id']}", {"id": hook["id"], "content_type": "application/json"})
    receiver.answer = Answer.json(
        {"text": "on it", "response_type": "comment", "attachments": [{"title": "t"}]}
    )
    root = post(api, room.member, room.channel_id, "deploy web")
    send_due(hub)
    request = receiver.next()
    assert request.headers["Content-Type"] == "application/json" and request.json()["post_id"] == root["id"]
    reply = channel_posts(api, room.member, room.channel_id)[-1]
    assert (reply["root_id"], reply["type"], reply["props"]["attachments"]) == (
        root["id"],
        "slack_attachment",
        [{"title": "t"}],
    )


def test_what_does_not_trigger(api, hub, room, hook, receiver):
    post(api, room.member, room.channel_id, "please deploy")
    post(api, room.owner, room.private_channel_id, "deploy secret")
    incoming = api.as_(room.owner).post("hooks/incoming", {"channel_id": room.channel_id}).get_json()
    api.as_(None).request("POST", f"/hooks/{incoming['id']}", data='{"text": "deploy from a hook"}')
    assert deliveries(hub) == []
    hub.config["ServiceSettings"]["EnableOutgoingWebhooks"] = False
    post(api, room.member, room.channel_id, "deploy while disabled")
    assert deliveries(hub) == []


def test_retries_keep_the_delivery_id_and_count_attempts(api, hub, room, hook, receiver):
    statuses = iter([503, 502, 200])
    receiver.answer = lambda _request: Answer.text("", status=next(statuses))
    post(api, room.member, room.channel_id, "deploy")
    send_due(hub)
    seen = [receiver.next() for _ in range(3)]
    assert [r.headers["X-Hubbub-Attempt"] for r in seen] == ["1", "2", "3"]
    assert len({r.headers["X-Hubbub-Delivery"] for r in seen}) == 1
    (delivery,) = deliveries(hub)
    assert (delivery.state, delivery.attempts, delivery.last_status) == ("delivered", 3, 200)


def test_429_waits_for_its_retry_after(api, hub, room, hook, receiver):
    receiver.answer = Answer(429, b"", "text/plain", {"Retry-After": "30"})
    post(api, room.member, room.channel_id, "deploy")
    before = now_ms()
    with ThreadPoolExecutor(1) as pool:
        assert hub.deliveries.run_due(pool) == 1
        assert hub.deliveries.run_due(pool) == 0  # not due for 30 s
    (delivery,) = deliveries(hub)
    assert (delivery.state, delivery.last_status) == ("pending", 429)
    assert delivery.next_attempt_at >= before + 30_000


def test_client_errors_and_blocked_urls_are_not_retried(api, hub, room, hook, receiver):
    receiver.answer = Answer.text("nope", status=400)
    post(api, room.member, room.channel_id, "deploy")
    send_due(hub)
    assert [(d.state, d.attempts, d.last_status) for d in deliveries(hub)] == [("failed", 1, 400)]
    hub.config["ServiceSettings"]["AllowedUntrustedInternalConnections"] = ""
    post(api, room.member, room.channel_id, "deploy again")
    send_due(hub)
    blocked = deliveries(hub)[-1]
    assert (blocked.state, blocked.attempts) == ("failed", 1) and blocked.last_error.startswith("blocked")


def test_unreachable_receivers_are_retried_up_to_the_limit(api, hub, room, hook, receiver):
    hub.config["ServiceSettings"]["OutgoingIntegrationMaxAttempts"] = 3
    receiver.close()  # connection refused from now on
    post(api, room.member, room.channel_id, "deploy")
    send_due(hub)
    (delivery,) = deliveries(hub)
    assert (delivery.state, delivery.attempts) == ("failed", 3) and delivery.last_error.startswith(
        "connection"
    )


def test_a_hook_that_keeps_failing_is_switched_off_and_its_owner_told(
    api, hub, room, hook, receiver, ws_connect
):
    settings = hub.config["ServiceSettings"]
    settings.update(OutgoingIntegrationMaxAttempts=1, OutgoingIntegrationMaxConsecutiveFailures=2)
    owner_socket = ws_connect(room.owner)
    receiver.answer = Answer.text("down", status=500)
    for _ in range(2):
        post(api, room.member, room.channel_id, "deploy")
        send_due(hub)
    state = api.as_(room.owner).get(f"hooks/outgoing/{hook['id']}").get_json()
    assert state["consecutive_failures"] == 2 and "2 failed deliveries" in state["disabled_reason"]
    notice = json.loads(owner_socket.expect("ephemeral_message", timeout=3)["data"]["post"])
    assert "switched off" in notice["message"]
    post(api, room.member, room.channel_id, "deploy once more")
    assert len(deliveries(hub)) == 2
    api.as_(room.owner).put(f"hooks/outgoing/{hook['id']}", {"id": hook["id"], "disabled_reason": ""})
    receiver.answer = Answer.json({})
    post(api, room.member, room.channel_id, "deploy now it works")
    send_due(hub)
    assert deliveries(hub)[-1].state == "delivered"
    assert api.as_(room.owner).get(f"hooks/outgoing/{hook['id']}").get_json()["consecutive_failures"] == 0


def test_delivery_log_redelivery_and_test_send(api, hub, room, hook, receiver):
    receiver.answer = Answer.text("thanks", status=500)
    hub.config["ServiceSettings"]["OutgoingIntegrationMaxAttempts"] = 1
    post(api, room.member, room.channel_id, "deploy")
    send_due(hub)
    as_owner = api.as_(room.owner)
    log = as_owner.get(f"hooks/outgoing/{hook['id']}/deliveries").get_json()
    assert [(d["state"], d["attempts"]) for d in log] == [("failed", 1)]
    attempt = log[0]["attempt_log"][0]
    assert attempt["status_code"] == 500 and attempt["response"]["body"] == "thanks"
    assert hook["token"] not in json.dumps(attempt)
    assert attempt["request"]["headers"]["X-Slack-Signature"] == "[redacted]"
    assert (
        "token=%5Bredacted%5D" in attempt["request"]["body"]
        or "token=[redacted]" in attempt["request"]["body"]
    )

    receiver.answer = Answer.json({})
    again = as_owner.post(f"hooks/outgoing/{hook['id']}/deliveries/{log[0]['id']}/redeliver")
    assert again.status_code == 200 and again.get_json()["state"] == "pending"
    send_due(hub)
    receiver.next()
    assert receiver.next().headers["X-Hubbub-Attempt"] == "2"
    assert as_owner.get(f"hooks/outgoing/{hook['id']}/deliveries").get_json()[0]["state"] == "delivered"

    tests = as_owner.post(f"hooks/outgoing/{hook['id']}/test")
    assert tests.status_code == 201 and len(tests.get_json()) == 1
    send_due(hub)
    assert receiver.next().form["trigger_word"] == "deploy"
    assert_app_error(api.as_(room.member).get(f"hooks/outgoing/{hook['id']}/deliveries"), 403)
    assert_app_error(as_owner.post(f"hooks/outgoing/{hook['id']}/deliveries/{hook['id']}/redeliver"), 404)


def test_the_delivery_loop_sends_in_the_background(api, hub, room, hook, receiver):
    receiver.answer = Answer.json({"text": "done"})
    stop = threading.Event()
    loop = threading.Thread(target=DeliveryLoop(hub, idle_seconds=0.05).run, args=(stop,), daemon=True)
    loop.start()
    try:
        post(api, room.member, room.channel_id, "deploy")
        assert receiver.next(timeout=20).form["text"] == "deploy"
        deadline = time.monotonic() + 20
        while (
            time.monotonic() < deadline
            and channel_posts(api, room.member, room.channel_id)[-1]["message"] != "done"
        ):
            time.sleep(0.05)
        assert channel_posts(api, room.member, room.channel_id)[-1]["message"] == "done"
    finally:
        stop.set()
        loop.join(timeout=30)
    with hub.store.read() as s:
        assert s.get(models.WorkerLease, "deliveries").lease_until == 0


def test_a_committed_delivery_wakes_the_loop_and_other_posts_do_not(api, hub, room, hook):
    loop = DeliveryLoop(hub)
    post(api, room.member, room.channel_id, "just talking")
    assert not loop._wake.is_set()
    post(api, room.member, room.channel_id, "deploy now")
    assert loop._wake.is_set()


def test_only_one_process_holds_the_delivery_lease(hub):
    assert hub.deliveries.take_lease("deliveries", "a", 30)
    assert not hub.deliveries.take_lease("deliveries", "b", 30)
    assert hub.deliveries.take_lease("deliveries", "a", 30)
    hub.deliveries.release_lease("deliveries", "a")
    assert hub.deliveries.take_lease("deliveries", "b", 30)


def test_a_claim_waiting_behind_a_slow_send_keeps_its_lease(api, hub, room, hook, receiver):
    """A claim's lease runs from the claim: one left waiting behind a slow send must not run out before
    it is sent, or another process would send it too."""
    release = threading.Event()

    def hang_first(request) -> Answer:
        if request.form["text"] == "deploy 0":
            release.wait(10)
        return Answer.json({})

    receiver.answer = hang_first
    for n in range(3):
        post(api, room.member, room.channel_id, f"deploy {n}")
    stop = threading.Event()
    sender = DeliveryLoop(hub, concurrency=1, idle_seconds=0.05)
    loop = threading.Thread(target=sender.run, args=(stop,), daemon=True)
    loop.start()
    try:
        assert receiver.next(timeout=20).form["text"] == "deploy 0"
        queued = deliveries(hub)
        assert [d.attempts for d in queued] == [1, 1, 1]
        # Each send may take up to the deadline: each claim behind it holds a lease that long at least.
        deadline_ms = hub.config["ServiceSettings"]["OutgoingIntegrationRequestsTimeout"] * 1000
        leases = [d.lease_until for d in queued]
        assert leases[1] - leases[0] >= deadline_ms and leases[2] - leases[1] >= deadline_ms
        release.set()
        settle_by = time.monotonic() + 20
        while time.monotonic() < settle_by and any(d.state == "pending" for d in deliveries(hub)):
            time.sleep(0.05)
        assert [d.state for d in deliveries(hub)] == ["delivered"] * 3
    finally:
        release.set()
        stop.set()
        loop.join(timeout=30)
