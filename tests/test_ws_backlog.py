"""A socket's backlog (server/websocket/connections.py): a burst reaches a client that reads, however
long; a client whose backlog stops moving is let go; an idle socket holds no writer."""

from __future__ import annotations

import threading
import time

from hub.permissions import Actor
from server.websocket import connections
from server.websocket.connections import Connection, encode_event


class Outlet:
    """A socket that takes messages at once while `open`, else only by a waiting `send`."""

    def __init__(self, send, open: bool = True) -> None:
        self.send = send
        self.open = open

    def send_now(self, message: str) -> bool:
        if self.open:
            self.send(message)
        return self.open

    def unfinished(self) -> bool:
        return False

    def finish(self) -> None:
        pass


def _connection(send, spawn=connections.spawn_thread, *, open: bool = True) -> Connection:
    connection = Connection(Actor("u" * 26, "system_user"))
    connection.attach(Outlet(send, open), [], spawn)
    return connection


def test_a_burst_far_over_any_count_reaches_a_client_that_reads():
    received: list[str] = []
    connection = _connection(received.append)
    head = encode_event("posted", {"n": 1}, {})
    assert all(connection.deliver_encoded(head) for _ in range(10_000))
    deadline = time.monotonic() + 5
    while len(received) < 10_000 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert [int(m.rsplit(":", 1)[1][:-1]) for m in received] == list(range(10_000))


def test_a_client_whose_backlog_stops_moving_is_let_go(monkeypatch):
    monkeypatch.setattr(connections, "SLOW_CLIENT_SECONDS", 0.2)
    stuck = threading.Event()
    connection = _connection(lambda message: stuck.wait(5), open=False)
    head = encode_event("posted", {}, {})
    assert connection.deliver_encoded(head)  # taken by the writer, which blocks
    assert connection.deliver_encoded(head)  # waits in the backlog
    time.sleep(0.3)
    assert not connection.deliver_encoded(head)
    stuck.set()


def test_a_backlog_over_its_byte_cap_is_let_go(monkeypatch):
    monkeypatch.setattr(connections, "MAX_BACKLOG_BYTES", 10_000)
    stuck = threading.Event()
    connection = _connection(lambda message: stuck.wait(5), open=False)
    head = encode_event("posted", {"text": "x" * 1000}, {})
    results = [connection.deliver_encoded(head) for _ in range(20)]
    assert results[:5] == [True] * 5 and results[-1] is False
    stuck.set()


def test_a_socket_that_keeps_up_needs_no_writer_and_a_full_one_gets_one_until_it_drains():
    started: list[object] = []

    def spawn(work):
        started.append(work)
        return connections.spawn_thread(work)

    received: list[str] = []
    outlet = Outlet(received.append)
    connection = Connection(Actor("u" * 26, "system_user"))
    connection.attach(outlet, [], spawn)
    connection.deliver("hello", {}, {})
    assert started == [] and len(received) == 1
    outlet.open = False  # the client's socket buffer is full: the next messages wait for a writer
    gate = threading.Event()

    def slow_send(message: str) -> None:
        gate.wait(5)  # the client reads again only once both messages wait
        received.append(message)

    outlet.send = slow_send
    connection.deliver("posted", {}, {})
    connection.deliver("posted", {}, {})
    gate.set()
    deadline = time.monotonic() + 5
    while len(received) < 3 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert len(started) == 1 and len(received) == 3
    time.sleep(0.05)
    assert not connection._writing  # the writer ended with the backlog


def test_replayed_messages_are_numbered_as_they_were_sent():
    received: list[str] = []
    connection = _connection(received.append)
    for n in range(3):
        connection.deliver("posted", {"n": n}, {})
    connection.detach()
    connection.deliver("posted", {"n": 3}, {})
    assert connection.resume_from(2) == [
        encode_event("posted", {"n": 2}, {}) + ',"seq":2}',
        encode_event("posted", {"n": 3}, {}) + ',"seq":3}',
    ]
    assert connection.resume_from(5) is None
