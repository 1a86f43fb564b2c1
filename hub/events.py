"""Real-time events: what services announce after a commit, and the bus that carries them to every
web process. The database stays the truth; an event only tells connected clients what changed."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from functools import cached_property
from typing import Any, Protocol

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from hub import jsonsafe, models

logger = logging.getLogger(__name__)

PENDING_KEY = "hubbub_pending_events"
REDIS_CHANNEL = "hubbub:events"
# Control messages between processes; never written to a client.
CLOSE_SOCKETS = "hubbub_close_sockets"
DELIVERIES_QUEUED = "hubbub_deliveries_queued"
INVALIDATE_CACHES = "hubbub_invalidate"  # rows that changed, for the caches of every process (hub.caches)
CONTROL_EVENTS = frozenset({CLOSE_SOCKETS, DELIVERIES_QUEUED, INVALIDATE_CACHES})


@dataclass(frozen=True)
class Event:
    """One Mattermost WebSocket event. `audience` holds the user ids allowed to receive it, resolved
    inside the transaction that caused it; None means every connected user."""

    event: str
    data: dict[str, Any]
    channel_id: str = ""
    team_id: str = ""
    user_id: str = ""
    omit_users: tuple[str, ...] = ()
    audience: tuple[str, ...] | None = None
    omit_connection_id: str = ""

    def reaches(self, user_id: str) -> bool:
        if self.user_id and user_id != self.user_id:
            return False
        if user_id in self._omitted:
            return False
        return self._allowed is None or user_id in self._allowed

    # Sets built once per event: every socket of a process asks, and an audience may be a whole team.
    @cached_property
    def _allowed(self) -> frozenset[str] | None:
        return None if self.audience is None else frozenset(self.audience)

    @cached_property
    def _omitted(self) -> frozenset[str]:
        return frozenset(self.omit_users)

    def broadcast(self) -> dict[str, Any]:
        return {
            "omit_users": {user_id: True for user_id in self.omit_users} or None,
            "user_id": self.user_id,
            "channel_id": self.channel_id,
            "team_id": self.team_id,
            "connection_id": "",
            "omit_connection_id": self.omit_connection_id,
        }

    def to_json(self) -> str:
        return jsonsafe.dumps(asdict(self))

    @classmethod
    def from_json(cls, raw: str | bytes) -> Event:
        data = json.loads(raw)
        for key in ("omit_users", "audience"):
            if data.get(key) is not None:
                data[key] = tuple(data[key])
        return cls(**data)


def close_sockets(
    *, user_ids: Iterable[str] = (), session_ids: Iterable[str] = (), token_ids: Iterable[str] = ()
) -> Event:
    """Asks every web process to close the sockets of revoked sessions, tokens or deactivated users."""
    return Event(
        CLOSE_SOCKETS,
        {"user_ids": sorted(user_ids), "session_ids": sorted(session_ids), "token_ids": sorted(token_ids)},
        audience=(),
    )


def deliveries_queued() -> Event:
    """Wakes the delivery loops (in every process, through the bus): a delivery was committed."""
    return Event(DELIVERIES_QUEUED, {}, audience=())


def json_string(value: Any) -> str:
    """Objects Mattermost's events carry as JSON strings (data.channel, data.team...), compact as Go
    writes them."""
    return jsonsafe.dumps(value)


def emit(s: Session, event: Event) -> None:
    """Queues an event on the open transaction; the store publishes it only once the commit succeeded."""
    s.info.setdefault(PENDING_KEY, []).append(event)


# Built once: every post's event asks it (see hub/services/posts/counters.py).
_CHANNEL_MEMBER_IDS = select(models.ChannelMember.user_id).where(
    models.ChannelMember.channel_id == bindparam("p_channel_id")
)


def channel_audience(s: Session, channel_id: str) -> tuple[str, ...]:
    return tuple(s.connection().execute(_CHANNEL_MEMBER_IDS, {"p_channel_id": channel_id}).scalars())


def team_audience(s: Session, team_id: str) -> tuple[str, ...]:
    return tuple(
        s.scalars(
            select(models.TeamMember.user_id).where(
                models.TeamMember.team_id == team_id, models.TeamMember.delete_at == 0
            )
        )
    )


Listener = Callable[[Event], None]


class Bus(Protocol):
    # Whether other processes hear what this one publishes (and this one theirs).
    shared: bool

    def publish(self, events: list[Event]) -> None: ...

    def subscribe(self, listener: Listener) -> None: ...

    def close(self) -> None: ...


class LocalBus:
    """One process: listeners are called in the publishing thread; they must not block."""

    shared = False

    def __init__(self) -> None:
        self._listeners: list[Listener] = []

    def subscribe(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def publish(self, events: list[Event]) -> None:
        for event in events:
            for listener in list(self._listeners):
                try:
                    listener(event)
                except Exception:  # one broken listener must not stop delivery to the others
                    logger.exception("event listener failed on %s", event.event)

    def close(self) -> None:
        self._listeners.clear()


class RedisBus(LocalBus):
    """Several workers or nodes: events go through Redis pub/sub and come back to every process,
    this one included, through one listening thread (a greenlet under gevent)."""

    shared = True

    def __init__(self, address: str, password: str = "", db: int = 0) -> None:
        super().__init__()
        import redis

        host, _, port = address.rpartition(":")
        self._redis = redis.Redis(
            host=host or "127.0.0.1",
            port=int(port or 6379),
            password=password or None,
            db=db,
            health_check_interval=30,
        )
        self._listening: threading.Thread | None = None
        self._stopped = threading.Event()
        self._lock = threading.Lock()

    def subscribe(self, listener: Listener) -> None:
        super().subscribe(listener)
        with self._lock:
            if self._listening is None:
                self._listening = threading.Thread(target=self._listen, name="hubbub-bus", daemon=True)
                self._listening.start()

    def publish(self, events: list[Event]) -> None:
        pipe = self._redis.pipeline(transaction=False)
        for event in events:
            pipe.publish(REDIS_CHANNEL, event.to_json())
        pipe.execute()

    def _listen(self) -> None:
        backoff = 0.5
        while not self._stopped.is_set():
            try:
                # redis-py leaves pubsub() unannotated (it takes **kwargs), though it returns a PubSub.
                pubsub = self._redis.pubsub(ignore_subscribe_messages=True)  # type: ignore[no-untyped-call]
                pubsub.subscribe(REDIS_CHANNEL)
                backoff = 0.5
                while not self._stopped.is_set():
                    message = pubsub.get_message(timeout=1.0)
                    if message and message["type"] == "message":
                        super().publish([Event.from_json(message["data"])])
                pubsub.close()
            except Exception:  # Redis restarts and network errors: reconnect; clients resync on their own
                logger.exception("event bus lost Redis; reconnecting in %.1fs", backoff)
                self._stopped.wait(backoff)
                backoff = min(backoff * 2, 10.0)

    def close(self) -> None:
        self._stopped.set()
        super().close()
        self._redis.close()


def make_bus(cache_settings: dict[str, Any]) -> Bus:
    if cache_settings["CacheType"] == "redis":
        return RedisBus(
            cache_settings["RedisAddress"], cache_settings["RedisPassword"], cache_settings["RedisDB"]
        )
    return LocalBus()
