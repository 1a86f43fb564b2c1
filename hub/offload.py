"""CPU-bound calls (password hashing, image decoding) in bounded pools of OS threads.

Under gunicorn's gevent worker every request and socket of a process shares one OS thread, so a call
that computes for a second freezes all of them for that second. argon2 and Pillow release the GIL
while they compute: the same call made in another OS thread leaves the event loop free. A pool has
a fixed number of threads and a flood of calls waits for them (each caller a sleeping greenlet or
thread) instead of starting more threads than there are cores to run them.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar, cast

Result = TypeVar("Result")


def cpu_count() -> int:
    """The cores this process may run on (fewer than the machine's under a CPU affinity mask)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def _gevent_patched() -> bool:
    # Only looked at once something has imported gevent: hub/ must never be what pulls it in.
    monkey = sys.modules.get("gevent.monkey")
    return monkey is not None and monkey.is_module_patched("threading")


class Pool:
    """`size` OS threads, started on first use: a gevent thread pool in a patched process (its calls
    wait cooperatively), a concurrent.futures one otherwise (the threaded test and CLI processes)."""

    def __init__(self, size: int) -> None:
        if size < 1:
            raise ValueError("a pool needs at least one thread")
        self.size = size
        self._pool: Any = None
        self._making = threading.Lock()

    def run(self, function: Callable[..., Result], *args: Any) -> Result:
        """function(*args) in one of the pool's threads; answers what it returns or raises what it raises."""
        pool = self._pool or self._make()
        if isinstance(pool, ThreadPoolExecutor):
            return pool.submit(function, *args).result()
        # gevent is untyped; its ThreadPool.apply answers what function returns.
        return cast(Result, pool.apply(function, args))

    def _make(self) -> Any:
        with self._making:
            if self._pool is None:
                if _gevent_patched():
                    from gevent.threadpool import ThreadPool

                    # Not the hub's own pool: that one also resolves host names, which must not queue here.
                    self._pool = ThreadPool(self.size)
                else:
                    self._pool = ThreadPoolExecutor(self.size, thread_name_prefix="offload")
            return self._pool
