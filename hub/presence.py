"""How many sockets each user has open, counted across every web worker and node.

A user is online while this count is above zero. With one process the count lives in memory; with
several (CacheSettings.CacheType "redis") it lives in Redis, one hash per user with a field per
process, so that a process can only ever take back the sockets it added itself.
"""

from __future__ import annotations

import os
import socket
import threading
from collections import Counter
from typing import Any, Protocol

from hub.ids import new_id

REDIS_KEY_PREFIX = "hubbub:presence:"

# Adds ARGV[2] to this process's field and answers the user's total over all processes, in one step,
# so that two processes closing a user's last two sockets cannot both see a count of one.
_ADD_AND_TOTAL = """
local mine = redis.call('HINCRBY', KEYS[1], ARGV[1], ARGV[2])
if mine <= 0 then redis.call('HDEL', KEYS[1], ARGV[1]) end
local total = 0
for _, value in ipairs(redis.call('HVALS', KEYS[1])) do total = total + tonumber(value) end
return total
"""


class ConnectionCounter(Protocol):
    def add(self, user_id: str, delta: int) -> int:
        """Adds `delta` sockets (+1 on connect, -1 on close; 0 to look) and answers the user's total."""
        ...


class LocalCounter:
    def __init__(self) -> None:
        self._counts: Counter[str] = Counter()
        self._lock = threading.Lock()

    def add(self, user_id: str, delta: int) -> int:
        with self._lock:
            self._counts[user_id] = max(0, self._counts[user_id] + delta)
            total = self._counts[user_id]
            if not total:
                del self._counts[user_id]
            return total


class RedisCounter:
    def __init__(self, address: str, password: str = "", db: int = 0) -> None:
        import redis

        host, _, port = address.rpartition(":")
        self._redis = redis.Redis(
            host=host or "127.0.0.1", port=int(port or 6379), password=password or None, db=db
        )
        self._add_and_total = self._redis.register_script(_ADD_AND_TOTAL)
        # A pid alone repeats across nodes and restarts.
        self.process_id = f"{socket.gethostname()}:{os.getpid()}:{new_id()[:8]}"

    def add(self, user_id: str, delta: int) -> int:
        return int(self._add_and_total(keys=[REDIS_KEY_PREFIX + user_id], args=[self.process_id, delta]))


def make_counter(cache_settings: dict[str, Any]) -> ConnectionCounter:
    if cache_settings["CacheType"] == "redis":
        return RedisCounter(
            cache_settings["RedisAddress"], cache_settings["RedisPassword"], cache_settings["RedisDB"]
        )
    return LocalCounter()
